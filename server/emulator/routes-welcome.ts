import { ok, type ApiRoute } from './cgi.js';
import type { EmulatorCore } from './core.js';
import { fail } from './errcodes.js';
import { bodyObject, optObject, optString, reqString, type Json } from './params.js';

const MAX_ATTACHMENTS = 9;
const MAX_TEXT_BYTES = 4000;
const ATTACHMENT_TYPES = ['image', 'link', 'miniprogram', 'video', 'file'] as const;

/** send_welcome_msg (wecom-protocol.md §4.9, [D-92599]): within 20 s of the event, once. */
export function welcomeRoutes(core: EmulatorCore): ApiRoute[] {
  const mediaExists = (id: string) => core.data.media.some((m) => m.media_id === id);

  const checkAttachment = (raw: unknown): void => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail('invalidParameter', 'attachment must be an object');
    const a = raw as Json;
    const msgtype = optString(a, 'msgtype');
    if (!msgtype || !(ATTACHMENT_TYPES as readonly string[]).includes(msgtype)) fail('invalidMsgType', msgtype ?? 'missing');
    // Each attachment must carry the object its msgtype names [D-92599].
    const inner = optObject(a, msgtype);
    if (!inner) fail('invalidParameter', `attachment of msgtype ${msgtype} has no ${msgtype} object`);
    switch (msgtype) {
      case 'image': {
        const mediaId = optString(inner, 'media_id');
        if (mediaId) {
          if (!mediaExists(mediaId)) fail('invalidMediaId', mediaId);
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
        if (!mediaExists(reqString(inner, 'pic_media_id'))) fail('invalidMediaId', 'pic_media_id');
        break;
      case 'video':
      case 'file':
        if (!mediaExists(reqString(inner, 'media_id'))) fail('invalidMediaId');
        break;
    }
  };

  return [
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/send_welcome_msg',
      handler: (req) => {
        const body = bodyObject(req.body);
        const code = reqString(body, 'welcome_code');
        const check = core.credentials.checkWelcomeCode(code);
        if (check.status === 'unknown') fail('invalidParameter', 'invalid welcome_code');
        if (check.status === 'expired') fail('invalidParameter', 'invalid welcome_code, expired (valid for 20 seconds)');
        if (check.status === 'used') fail('welcomeAlreadySent');

        const text = optObject(body, 'text');
        const content = text ? optString(text, 'content') : undefined;
        if (content !== undefined && Buffer.byteLength(content, 'utf8') > MAX_TEXT_BYTES) {
          fail('invalidParameter', `text.content exceeds ${MAX_TEXT_BYTES} bytes`);
        }
        const rawAttachments = body.attachments ?? [];
        if (!Array.isArray(rawAttachments)) fail('invalidParameter', 'attachments must be a list');
        if (rawAttachments.length > MAX_ATTACHMENTS) fail('invalidParameter', `at most ${MAX_ATTACHMENTS} attachments`);
        if (!content && rawAttachments.length === 0) fail('invalidParameter', 'text and attachments are both empty');
        rawAttachments.forEach(checkAttachment);

        core.credentials.markWelcomeCodeUsed(code);
        const at = core.clock.nowMs();
        core.data.welcomeMessages.push({
          at,
          welcome_code: code,
          userid: check.record.userid,
          external_userid: check.record.externalUserId,
          text: content ? { content } : null,
          attachments: structuredClone(rawAttachments),
        });
        core.data.activity.push({
          at,
          kind: 'welcome',
          userid: check.record.userid,
          external_userid: check.record.externalUserId,
        });
        core.changed();
        return ok();
      },
    },
  ];
}
