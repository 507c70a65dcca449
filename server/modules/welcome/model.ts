import { BadRequestError } from '../../errors.js';
import type { MessageAttachment } from '../../wecom/types.js';
import {
  MAX_WELCOME_ATTACHMENTS,
  type Welcome,
  type WelcomeAttachment,
  type WelcomeInput,
  type WelcomeVariant,
} from '../../../shared/schemas/welcome.js';
import type { WelcomeRow, WelcomeRowInput } from './repo.js';
import { MAX_WELCOME_TEXT_BYTES } from './template.js';
import { formatClockTime, parseClockTime, type TimeSlot } from './time-slot.js';

/** One sendable message: the base welcome or one time-slot variant. */
export interface WelcomeContent {
  text: string;
  attachments: WelcomeAttachment[];
}

const isHttpUrl = (value: string | undefined): value is string => {
  if (!value) return false;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};

function required(value: string | undefined, field: string, what: string): void {
  if (!value || value.trim() === '') throw new BadRequestError(`${what}不能为空`, field);
}

function url(value: string | undefined, field: string, what: string): void {
  required(value, field, what);
  if (!isHttpUrl(value)) throw new BadRequestError(`${what}须为 http(s) 地址`, field);
}

/** A path on this server (`/demo-assets/…`), resolved against our own origin when the image is fetched. */
export const isLocalPath = (value: string) => value.startsWith('/') && !value.startsWith('//') && !value.includes('\\');

/** Images are downloaded by the server and uploaded to WeCom, so a path on this server works too. */
function imageSource(value: string | undefined, field: string, what: string): void {
  required(value, field, what);
  if (!isHttpUrl(value) && !isLocalPath(value!)) throw new BadRequestError(`${what}须为 http(s) 地址或本站路径`, field);
}

/** Keeps only the fields of the attachment's type, after checking them. */
function checkAttachment(a: WelcomeAttachment, field: string): WelcomeAttachment {
  switch (a.type) {
    case 'image':
      imageSource(a.imageUrl, `${field}.imageUrl`, '图片地址');
      return { type: 'image', imageUrl: a.imageUrl };
    case 'link':
      required(a.title, `${field}.title`, '链接标题');
      url(a.url, `${field}.url`, '链接地址');
      if (a.picUrl !== undefined && a.picUrl !== '') url(a.picUrl, `${field}.picUrl`, '链接封面');
      return {
        type: 'link',
        title: a.title,
        url: a.url,
        ...(a.desc ? { desc: a.desc } : {}),
        ...(a.picUrl ? { picUrl: a.picUrl } : {}),
      };
    case 'miniprogram':
      required(a.title, `${field}.title`, '小程序标题');
      required(a.appId, `${field}.appId`, '小程序 appid');
      required(a.page, `${field}.page`, '小程序页面');
      imageSource(a.picUrl, `${field}.picUrl`, '小程序封面');
      return { type: 'miniprogram', title: a.title, appId: a.appId, page: a.page, picUrl: a.picUrl };
  }
}

function checkContent(text: string, attachments: WelcomeAttachment[], field: string): WelcomeContent {
  if (Buffer.byteLength(text, 'utf8') > MAX_WELCOME_TEXT_BYTES) {
    throw new BadRequestError(`欢迎语文字不能超过 ${MAX_WELCOME_TEXT_BYTES} 字节`, `${field}.text`);
  }
  if (attachments.length > MAX_WELCOME_ATTACHMENTS) {
    throw new BadRequestError(`附件最多 ${MAX_WELCOME_ATTACHMENTS} 个`, `${field}.attachments`);
  }
  if (text.trim() === '' && attachments.length === 0)
    throw new BadRequestError('欢迎语不能为空：请填写文字或添加附件', field);
  return { text, attachments: attachments.map((a, i) => checkAttachment(a, `${field}.attachments.${i}`)) };
}

/**
 * Checks an admin's welcome and returns it normalized; throws BadRequestError naming the wrong field
 * (`welcome.variants.1.attachments.0.url`, …). `field` is where the welcome sits in the request.
 */
export function normalizeWelcome(input: WelcomeInput, field = 'welcome'): Welcome {
  const base = checkContent(input.text ?? '', input.attachments ?? [], field);
  const variants = (input.variants ?? []).map((v, i): WelcomeVariant => {
    const at = `${field}.variants.${i}`;
    if (parseClockTime(v.start) === null) throw new BadRequestError('开始时间格式须为 HH:MM', `${at}.start`);
    if (parseClockTime(v.end) === null) throw new BadRequestError('结束时间格式须为 HH:MM', `${at}.end`);
    const content = checkContent(v.text, v.attachments, at);
    return {
      weekdays: [...new Set(v.weekdays)].sort((a, b) => a - b),
      start: formatClockTime(parseClockTime(v.start)!),
      end: formatClockTime(parseClockTime(v.end)!),
      ...content,
    };
  });
  return { ...base, variants };
}

/** Row 0 is the base message; variants follow in their order. */
export function welcomeToRows(w: Welcome): WelcomeRowInput[] {
  return [
    { weekdays: null, startMinute: null, endMinute: null, text: w.text, attachments: w.attachments, order: 0 },
    ...w.variants.map((v, i) => ({
      weekdays: v.weekdays,
      startMinute: parseClockTime(v.start),
      endMinute: parseClockTime(v.end),
      text: v.text,
      attachments: v.attachments,
      order: i + 1,
    })),
  ];
}

export function welcomeFromRows(rows: WelcomeRow[]): Welcome | null {
  const base = rows.find((r) => r.weekdays === null);
  if (!base) return null;
  const variants = rows
    .filter((r) => r.weekdays !== null)
    .map((r) => ({
      weekdays: r.weekdays!,
      start: formatClockTime(r.startMinute ?? 0),
      end: formatClockTime(r.endMinute ?? 0),
      text: r.text,
      attachments: r.attachments,
    }));
  return { text: base.text, attachments: base.attachments, variants };
}

/** The variants with their slots in minutes, for selectBySlot. */
export function slotsOf(w: Welcome): Array<WelcomeContent & TimeSlot> {
  return w.variants.map((v) => ({
    text: v.text,
    attachments: v.attachments,
    weekdays: v.weekdays,
    startMinute: parseClockTime(v.start)!,
    endMinute: parseClockTime(v.end)!,
  }));
}

/** WeCom's shape of an attachment, once image covers have media ids. */
export function toWecomAttachment(a: WelcomeAttachment, mediaId: (url: string) => string): MessageAttachment {
  switch (a.type) {
    case 'image':
      return { msgtype: 'image', image: { media_id: mediaId(a.imageUrl!) } };
    case 'link':
      return {
        msgtype: 'link',
        link: {
          title: a.title!,
          url: a.url!,
          ...(a.desc ? { desc: a.desc } : {}),
          ...(a.picUrl ? { picurl: a.picUrl } : {}),
        },
      };
    case 'miniprogram':
      return {
        msgtype: 'miniprogram',
        miniprogram: { title: a.title!, appid: a.appId!, page: a.page!, pic_media_id: mediaId(a.picUrl!) },
      };
  }
}

/** URLs of the images an attachment needs uploaded (an image, a mini-program cover). */
export function imageUrlsOf(a: WelcomeAttachment): string[] {
  if (a.type === 'image' && a.imageUrl) return [a.imageUrl];
  if (a.type === 'miniprogram' && a.picUrl) return [a.picUrl];
  return [];
}
