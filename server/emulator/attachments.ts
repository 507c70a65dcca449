import type { EmulatorCore } from './core.js';
import { fail } from './errcodes.js';
import { optObject, optString, reqString, type Json } from './params.js';

export const MAX_ATTACHMENTS = 9;
const ATTACHMENT_TYPES = ['image', 'link', 'miniprogram', 'video', 'file'] as const;

/**
 * Validates `attachments` of send_welcome_msg and add_msg_template [D-92599], [D-92135]: at most 9, each carrying
 * the object its msgtype names, media ids that exist (uploaded within 3 days).
 */
export function checkAttachments(core: EmulatorCore, raw: unknown): unknown[] {
  const list = raw ?? [];
  if (!Array.isArray(list)) fail('invalidParameter', 'attachments must be a list');
  if (list.length > MAX_ATTACHMENTS) fail('invalidParameter', `at most ${MAX_ATTACHMENTS} attachments`);
  for (const item of list) checkAttachment(core, item);
  return list;
}

function checkAttachment(core: EmulatorCore, raw: unknown): void {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail('invalidParameter', 'attachment must be an object');
  const a = raw as Json;
  const msgtype = optString(a, 'msgtype');
  if (!msgtype || !(ATTACHMENT_TYPES as readonly string[]).includes(msgtype))
    fail('invalidMsgType', msgtype ?? 'missing');
  const inner = optObject(a, msgtype);
  if (!inner) fail('invalidParameter', `attachment of msgtype ${msgtype} has no ${msgtype} object`);
  switch (msgtype) {
    case 'image': {
      const mediaId = optString(inner, 'media_id');
      if (mediaId) {
        if (!core.isLiveMedia(mediaId)) fail('invalidMediaId', mediaId);
      } else if (!optString(inner, 'pic_url')) fail('invalidParameter', 'image needs media_id or pic_url');
      break;
    }
    case 'link':
      reqString(inner, 'title');
      reqString(inner, 'url');
      break;
    case 'miniprogram':
      reqString(inner, 'title');
      reqString(inner, 'appid');
      reqString(inner, 'page');
      if (!core.isLiveMedia(reqString(inner, 'pic_media_id'))) fail('invalidMediaId', 'pic_media_id');
      break;
    case 'video':
    case 'file':
      if (!core.isLiveMedia(reqString(inner, 'media_id'))) fail('invalidMediaId');
      break;
  }
}
