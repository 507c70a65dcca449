import type { WelcomeAttachment, WelcomeInput, WelcomeVariant } from '../api/types';

/** send_welcome_msg's limits (shared/schemas/welcome.ts): 9 attachments, 10 time slots, 4000 bytes of text. */
export const MAX_ATTACHMENTS = 9;
export const MAX_VARIANTS = 10;
export const MAX_TEXT_BYTES = 4000;
export const PLACEHOLDERS = ['{客户昵称}', '{员工姓名}'] as const;
export const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];

export const ATTACHMENT_KINDS: Record<WelcomeAttachment['type'], string> = {
  image: '图片',
  link: '链接',
  miniprogram: '小程序',
};

/** The editor's model of a welcome message: always complete, unlike what the API accepts. */
export interface WelcomeDraft {
  text: string;
  attachments: WelcomeAttachment[];
  variants: WelcomeVariant[];
}

export const emptyWelcome = (): WelcomeDraft => ({ text: '', attachments: [], variants: [] });

export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

export function newAttachment(type: WelcomeAttachment['type']): WelcomeAttachment {
  if (type === 'image') return { type, imageUrl: '' };
  if (type === 'link') return { type, title: '', url: '', desc: '', picUrl: '' };
  return { type, title: '', appId: '', page: '', picUrl: '' };
}

export function newVariant(): WelcomeVariant {
  return { weekdays: [1, 2, 3, 4, 5], start: '18:00', end: '09:00', text: '', attachments: [] };
}

/** Only the fields an attachment's type uses, without empty optional ones (the server refuses unknown or stray ones). */
export function cleanAttachment(a: WelcomeAttachment): WelcomeAttachment {
  const keep: Record<WelcomeAttachment['type'], (keyof WelcomeAttachment)[]> = {
    image: ['imageUrl'],
    link: ['title', 'url', 'desc', 'picUrl'],
    miniprogram: ['title', 'appId', 'page', 'picUrl'],
  };
  const out: WelcomeAttachment = { type: a.type };
  for (const key of keep[a.type]) {
    const value = a[key];
    if (typeof value === 'string' && value.trim() !== '') (out as Record<string, string>)[key] = value.trim();
  }
  return out;
}

/** The draft as the API takes it. */
export function toWelcomeInput(draft: WelcomeDraft): WelcomeInput {
  return {
    text: draft.text,
    attachments: draft.attachments.map(cleanAttachment),
    variants: draft.variants.map((v) => ({
      weekdays: [...v.weekdays].sort((a, b) => a - b),
      start: v.start,
      end: v.end,
      text: v.text,
      attachments: v.attachments.map(cleanAttachment),
    })),
  };
}

export function fromWelcome(
  w: { text: string; attachments: WelcomeAttachment[]; variants: WelcomeVariant[] } | null,
): WelcomeDraft {
  if (!w) return emptyWelcome();
  return {
    text: w.text,
    attachments: w.attachments.map((a) => ({ ...newAttachment(a.type), ...a })),
    variants: w.variants.map((v) => ({
      ...v,
      weekdays: [...v.weekdays],
      attachments: v.attachments.map((a) => ({ ...newAttachment(a.type), ...a })),
    })),
  };
}

/** A slot's days and hours in words: `周一至周五 18:00–次日 09:00`. */
export function describeSlot(v: Pick<WelcomeVariant, 'weekdays' | 'start' | 'end'>): string {
  const days = [...v.weekdays].sort((a, b) => a - b);
  const consecutive = days.length > 2 && days.every((d, i) => i === 0 || d === days[i - 1]! + 1);
  const dayText = consecutive
    ? `${WEEKDAYS[days[0]! - 1]}至${WEEKDAYS[days[days.length - 1]! - 1]}`
    : days.map((d) => WEEKDAYS[d - 1]).join('、');
  if (v.start === v.end) return `${dayText} 全天`;
  return `${dayText} ${v.start}–${v.end < v.start ? '次日 ' : ''}${v.end}`;
}

const isHttpUrl = (value: string) => {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};
const isLocalPath = (value: string) => value.startsWith('/') && !value.startsWith('//') && !value.includes('\\');

/** An attachment's first problem as the server words it (server/modules/welcome/model.ts), with its field. */
function attachmentProblem(a: WelcomeAttachment, at: string): [string, string] | null {
  const required = (value: string | undefined, field: string, what: string): [string, string] | null =>
    !value || value.trim() === '' ? [`${at}.${field}`, `${what}不能为空`] : null;
  const url = (value: string | undefined, field: string, what: string) =>
    required(value, field, what) ??
    (isHttpUrl(value!.trim()) ? null : ([`${at}.${field}`, `${what}须为 http(s) 地址`] as [string, string]));
  const image = (value: string | undefined, field: string, what: string) =>
    required(value, field, what) ??
    (isHttpUrl(value!.trim()) || isLocalPath(value!.trim())
      ? null
      : ([`${at}.${field}`, `${what}须为 http(s) 地址或本站路径`] as [string, string]));
  switch (a.type) {
    case 'image':
      return image(a.imageUrl, 'imageUrl', '图片地址');
    case 'link':
      return (
        required(a.title, 'title', '链接标题') ??
        url(a.url, 'url', '链接地址') ??
        (a.picUrl?.trim() ? url(a.picUrl, 'picUrl', '链接封面') : null)
      );
    case 'miniprogram':
      return (
        required(a.title, 'title', '小程序标题') ??
        required(a.appId, 'appId', '小程序 appid') ??
        required(a.page, 'page', '小程序页面') ??
        image(a.picUrl, 'picUrl', '小程序封面')
      );
  }
}

function contentProblems(text: string, attachments: WelcomeAttachment[], at: string, out: Record<string, string>) {
  if (utf8Bytes(text) > MAX_TEXT_BYTES) out[`${at}.text`] = `欢迎语文字不能超过 ${MAX_TEXT_BYTES} 字节`;
  if (attachments.length > MAX_ATTACHMENTS) out[`${at}.attachments`] = `附件最多 ${MAX_ATTACHMENTS} 个`;
  if (text.trim() === '' && attachments.length === 0) out[at] = '欢迎语不能为空：请填写文字或添加附件';
  attachments.forEach((a, i) => {
    const problem = attachmentProblem(a, `${at}.attachments.${i}`);
    if (problem) out[problem[0]] = problem[1];
  });
}

const CLOCK = /^([01][0-9]|2[0-4]):[0-5][0-9]$/;

/**
 * What the editor checks before saving: the server's rules, in the server's words, keyed by the field the server
 * would name (`welcome.variants.1.attachments.0.url`).
 */
export function checkWelcome(draft: WelcomeDraft, at = 'welcome'): Record<string, string> {
  const out: Record<string, string> = {};
  contentProblems(draft.text, draft.attachments, at, out);
  draft.variants.forEach((v, i) => {
    const vat = `${at}.variants.${i}`;
    if (v.weekdays.length === 0) out[`${vat}.weekdays`] = '请至少选择一天';
    if (!CLOCK.test(v.start)) out[`${vat}.start`] = '开始时间格式须为 HH:MM';
    if (!CLOCK.test(v.end)) out[`${vat}.end`] = '结束时间格式须为 HH:MM';
    contentProblems(v.text, v.attachments, vat, out);
  });
  return out;
}

/** Every field of a draft an error can be shown on (for useFieldErrors). */
export function welcomeFields(draft: WelcomeDraft, at = 'welcome'): string[] {
  const content = (base: string, attachments: WelcomeAttachment[]) => [
    base,
    `${base}.text`,
    `${base}.attachments`,
    ...attachments.map((_, i) => `${base}.attachments.${i}`),
  ];
  return [
    ...content(at, draft.attachments),
    ...draft.variants.flatMap((v, i) => [
      ...content(`${at}.variants.${i}`, v.attachments),
      `${at}.variants.${i}.weekdays`,
      `${at}.variants.${i}.start`,
      `${at}.variants.${i}.end`,
    ]),
  ];
}
