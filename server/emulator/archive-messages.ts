import { randomBytes } from 'node:crypto';
import { EmulatorInputError } from './errcodes.js';
import type { Json } from './params.js';

/**
 * The message types the emulator archives (wecom-protocol.md §6.3), and how a `/_chat` request describes one.
 * Field names and shapes are WeCom's decrypted message JSON.
 */
export const ARCHIVE_MSG_TYPES = [
  'text',
  'image',
  'voice',
  'video',
  'file',
  'link',
  'weapp',
  'emotion',
  'location',
  'card',
  'mixed',
  'chatrecord',
  'revoke',
  'agree',
  'disagree',
  'switch',
] as const;
export type ArchiveMsgType = (typeof ARCHIVE_MSG_TYPES)[number];

/** Types whose payload is a media file fetched with GetMediaData. */
export const MEDIA_MSG_TYPES = ['image', 'voice', 'video', 'file', 'emotion'] as const;

/** A picture, a voice clip or any file up to this size can be archived (WeCom's file limit is larger; kept small). */
export const MAX_MEDIA_BYTES = 20 * 1024 * 1024;

export interface ChatInput {
  from: string;
  /** 1:1 chats: the other party. */
  to?: string;
  /** Group chats: the room (a customer group's chat_id). */
  roomId?: string;
  msgtype: ArchiveMsgType;
  /** text content (text, and the text part of mixed). */
  text?: string;
  /** image: the picture itself (decoded from base64 or a data: URL). */
  image?: Buffer;
  /** Fields merged into the type object (e.g. `{ filename, filesize }` for a file). Sizes size the generated media. */
  content?: Json;
  /** revoke: the msgid of the recalled message. */
  preMsgid?: string;
  /** Encrypt for this registered public key version instead of the current one. */
  publickeyVer?: number;
  /** Fault: store a damaged encrypt_chat_msg. */
  corrupt: boolean;
  /** Send msgaudit_notify (default true). */
  notify: boolean;
  /** The message's msgtime (ms), for a history seeded after the fact (the demo); default now. */
  msgtime?: number;
}

function decodeImage(value: string): Buffer {
  const base64 = value.startsWith('data:') ? value.slice(value.indexOf(',') + 1) : value;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0)
    throw new EmulatorInputError('image must be base64 (or a data: URL) of a picture');
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length < 8 || bytes.length > 2 * 1024 * 1024)
    throw new EmulatorInputError('image must be a small picture (8 bytes to 2 MB)');
  return bytes;
}

/** Validates an untrusted `/_chat` body. Throws EmulatorInputError naming the problem. */
export function parseChatInput(raw: unknown): ChatInput {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new EmulatorInputError('body must be a JSON object');
  const o = raw as Record<string, unknown>;
  const str = (key: string): string | undefined => {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new EmulatorInputError(`${key} must be a string`);
    return v;
  };
  const from = str('from');
  if (!from) throw new EmulatorInputError('from is required (a rep userid or an external_userid)');
  const to = str('to') || undefined;
  const roomId = str('roomId') || undefined;
  const text = str('text');
  const imageText = str('image');
  const image = imageText ? decodeImage(imageText) : undefined;
  const msgtypeText = str('msgtype') ?? (image ? 'image' : 'text');
  if (!(ARCHIVE_MSG_TYPES as readonly string[]).includes(msgtypeText))
    throw new EmulatorInputError(`msgtype must be one of ${ARCHIVE_MSG_TYPES.join(', ')}`);
  const msgtype = msgtypeText as ArchiveMsgType;
  // A switch record (the rep switched corps in the client) belongs to no chat.
  if (msgtype === 'switch' ? !!to || !!roomId : !!to === !!roomId)
    throw new EmulatorInputError(
      msgtype === 'switch'
        ? 'a switch record has no to or roomId'
        : 'give exactly one of to (1:1 chat) and roomId (group chat)',
    );
  if (msgtype === 'text' && (text === undefined || text === ''))
    throw new EmulatorInputError('text is required for a text message');
  if (text !== undefined && [...text].length > 4000)
    throw new EmulatorInputError('text must be at most 4000 characters');
  if (image && msgtype !== 'image') throw new EmulatorInputError('image goes with msgtype image');
  const content = o.content;
  if (content !== undefined && (content === null || typeof content !== 'object' || Array.isArray(content)))
    throw new EmulatorInputError('content must be an object of fields for the message type');
  const preMsgid = str('preMsgid');
  if (msgtype === 'revoke' && !preMsgid) throw new EmulatorInputError('preMsgid is required for revoke');
  const ver = o.publickeyVer;
  if (ver !== undefined && (typeof ver !== 'number' || !Number.isInteger(ver) || ver < 1))
    throw new EmulatorInputError('publickeyVer must be a registered key version (an integer ≥ 1)');
  for (const flag of ['corrupt', 'notify'] as const) {
    if (o[flag] !== undefined && typeof o[flag] !== 'boolean')
      throw new EmulatorInputError(`${flag} must be a boolean`);
  }
  return {
    from,
    to,
    roomId,
    msgtype,
    text,
    image,
    content: content as Json | undefined,
    preMsgid,
    publickeyVer: ver as number | undefined,
    corrupt: o.corrupt === true,
    notify: o.notify !== false,
  };
}

/** What a media message carries after its file is stored. */
export interface MediaRef {
  sdkfileid: string;
  md5sum: string;
  filesize: number;
}

/** A 1×1 PNG: the picture an image message carries when the request gives none. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

function sizeField(content: Json | undefined, key: string, fallback: number): number {
  const v = content?.[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 16 || v > MAX_MEDIA_BYTES)
    throw new EmulatorInputError(`content.${key} must be an integer from 16 to ${MAX_MEDIA_BYTES}`);
  return v;
}

function stringField(content: Json | undefined, key: string, fallback: string): string {
  const v = content?.[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new EmulatorInputError(`content.${key} must be a string`);
  return v;
}

function numberField(content: Json | undefined, key: string, fallback: number): number {
  const v = content?.[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new EmulatorInputError(`content.${key} must be a number`);
  return v;
}

/** Media bytes of a given size that start like the real format (the rest is random). */
function fileBytes(header: Buffer, size: number): Buffer {
  const out = randomBytes(Math.max(size, header.length));
  header.copy(out, 0);
  return out;
}

const AMR_HEADER = Buffer.from('#!AMR\n', 'latin1');
const MP4_HEADER = Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex');
const PDF_HEADER = Buffer.from('%PDF-1.4\n', 'latin1');

/**
 * The type-named object of a message (`text`, `image`, …) and the media files it refers to. `store` keeps a file
 * and returns its sdkfileid, md5sum and size.
 */
export function buildTypeObject(input: ChatInput, msgtime: number, store: (bytes: Buffer) => MediaRef): Json {
  const c = input.content;
  switch (input.msgtype) {
    case 'text':
      return { ...c, content: input.text };
    case 'image': {
      const ref = store(input.image ?? TINY_PNG);
      return { ...c, sdkfileid: ref.sdkfileid, md5sum: ref.md5sum, filesize: ref.filesize };
    }
    case 'voice': {
      const ref = store(fileBytes(AMR_HEADER, sizeField(c, 'voice_size', 4_096)));
      return {
        ...c,
        voice_size: ref.filesize,
        play_length: numberField(c, 'play_length', 3),
        sdkfileid: ref.sdkfileid,
        md5sum: ref.md5sum,
      };
    }
    case 'video': {
      const ref = store(fileBytes(MP4_HEADER, sizeField(c, 'filesize', 120_000)));
      return {
        ...c,
        sdkfileid: ref.sdkfileid,
        filesize: ref.filesize,
        play_length: numberField(c, 'play_length', 8),
        md5sum: ref.md5sum,
      };
    }
    case 'file': {
      const filename = stringField(c, 'filename', '产品报价单.pdf');
      const dot = filename.lastIndexOf('.');
      const ref = store(fileBytes(PDF_HEADER, sizeField(c, 'filesize', 24_000)));
      return {
        ...c,
        filename,
        fileext: dot > 0 ? filename.slice(dot + 1) : '',
        sdkfileid: ref.sdkfileid,
        filesize: ref.filesize,
        md5sum: ref.md5sum,
      };
    }
    case 'emotion': {
      const ref = store(TINY_PNG);
      return {
        ...c,
        type: 2, // 1 gif, 2 png
        width: numberField(c, 'width', 1),
        height: numberField(c, 'height', 1),
        imagesize: ref.filesize,
        sdkfileid: ref.sdkfileid,
        md5sum: ref.md5sum,
      };
    }
    case 'link':
      return {
        title: '双十一会员专享福利',
        description: '限时领取满减券，先到先得',
        link_url: 'https://example.com/promo/1111',
        image_url: 'https://example.com/promo/1111.png',
        ...c,
      };
    case 'weapp':
      return {
        title: '星河优选商城',
        description: '在线下单，次日达',
        username: 'gh_0123456789ab@app',
        displayname: '星河优选',
        ...c,
      };
    case 'location':
      return {
        longitude: 121.4737,
        latitude: 31.2304,
        address: '上海市黄浦区人民大道200号',
        title: '人民广场',
        zoom: 15,
        ...c,
      };
    case 'card':
      return { corpname: '星河优选', userid: 'zhangwei', ...c };
    case 'mixed': {
      const ref = store(TINY_PNG);
      // Mixed items carry their content as a JSON string, as WeCom sends them.
      return {
        item: [
          { type: 'text', content: JSON.stringify({ content: input.text ?? '看看这款：' }) },
          {
            type: 'image',
            content: JSON.stringify({ sdkfileid: ref.sdkfileid, md5sum: ref.md5sum, filesize: ref.filesize }),
          },
        ],
        ...c,
      };
    }
    case 'chatrecord':
      return {
        title: '群聊的聊天记录',
        item: [
          {
            type: 'ChatRecordText',
            msgtime: Math.floor(msgtime / 1000) - 60,
            content: JSON.stringify({ content: input.text ?? '您好，请问这款还有货吗？' }),
            from_chatroom: false,
          },
        ],
        ...c,
      };
    case 'revoke':
      return { pre_msgid: input.preMsgid };
    case 'agree':
      return { userid: input.from, agree_time: msgtime };
    case 'disagree':
      return { userid: input.from, disagree_time: msgtime };
    case 'switch':
      return {};
  }
}
