import { BadRequestError } from '../../errors.js';
import type { NewScript, ScriptKind } from './repo.js';

export interface ScriptInput {
  groupId: number;
  title: string;
  kind: ScriptKind;
  content?: string;
  payload?: { url?: string; title?: string; desc?: string; imgUrl?: string };
  order?: number;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A path on this server (`/demo-assets/…`): served by us, resolved against our own origin when used. */
function isLocalPath(value: string): boolean {
  return value.startsWith('/') && !value.startsWith('//') && !value.includes('\\');
}

/**
 * Checks a script as the admin API receives it and gives the row to store: text needs its text; an image needs a
 * JPG/PNG URL (WeCom's media/upload takes nothing else); a link needs an absolute URL and gets a card title,
 * description and picture. Errors name the field.
 */
export function normalizeScript(input: ScriptInput): NewScript {
  const title = input.title.trim();
  if (!title) throw new BadRequestError('标题不能为空', 'title');
  const content = (input.content ?? '').trim();
  const payload = input.payload ?? {};
  const base = { groupId: input.groupId, title, kind: input.kind, order: input.order ?? 0 };
  switch (input.kind) {
    case 'text':
      if (!content) throw new BadRequestError('文本话术的内容不能为空', 'content');
      return { ...base, content, payload: {} };
    case 'image': {
      const url = payload.url?.trim() ?? '';
      if (!url) throw new BadRequestError('图片话术需要图片地址', 'payload.url');
      if (!isHttpUrl(url) && !isLocalPath(url))
        throw new BadRequestError('图片地址须为 http(s) 地址或本站路径', 'payload.url');
      const path = isHttpUrl(url) ? new URL(url).pathname : url.split(/[?#]/, 1)[0]!;
      if (!/\.(png|jpe?g)$/i.test(path)) throw new BadRequestError('图片须为 PNG 或 JPG 格式', 'payload.url');
      return { ...base, content, payload: { url } };
    }
    case 'link': {
      const url = payload.url?.trim() ?? '';
      if (!isHttpUrl(url)) throw new BadRequestError('链接话术需要完整的 http(s) 链接', 'payload.url');
      const imgUrl = payload.imgUrl?.trim() ?? '';
      if (imgUrl && !isHttpUrl(imgUrl) && !isLocalPath(imgUrl)) {
        throw new BadRequestError('封面图须为 http(s) 地址或本站路径', 'payload.imgUrl');
      }
      const cardTitle = payload.title?.trim() || title;
      const desc = payload.desc?.trim() ?? content;
      return { ...base, content, payload: { url, title: cardTitle, desc, imgUrl } };
    }
  }
}

/** An absolute URL for a stored image or link picture (local paths resolve against `origin`). */
export function absoluteUrl(value: string, origin: string): string {
  return isLocalPath(value) ? `${origin.replace(/\/+$/, '')}${value}` : value;
}
