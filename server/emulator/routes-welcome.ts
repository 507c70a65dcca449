import { checkAttachments } from './attachments.js';
import { ok, type ApiRoute } from './cgi.js';
import type { EmulatorCore } from './core.js';
import { fail } from './errcodes.js';
import { bodyObject, optObject, optString, reqString } from './params.js';

const MAX_TEXT_BYTES = 4000;

/** send_welcome_msg (wecom-protocol.md §4.9, [D-92599]): within 20 s of the event, once. */
export function welcomeRoutes(core: EmulatorCore): ApiRoute[] {
  return [
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/send_welcome_msg',
      handler: (req) => {
        const body = bodyObject(req.body);
        const code = reqString(body, 'welcome_code');
        const check = core.credentials.checkWelcomeCode(code);
        // WeCom documents no dedicated code for a stale welcome_code; it is an invalid parameter (final either way).
        if (check.status === 'unknown') fail('invalidParameter', 'invalid welcome_code');
        if (check.status === 'expired')
          fail('invalidParameter', 'invalid welcome_code, expired (valid for 20 seconds)');
        if (check.status === 'used') fail('welcomeAlreadySent');

        // The content is checked before the code is used up, so a bad request can be corrected in time.
        const text = optObject(body, 'text');
        const content = text ? optString(text, 'content') : undefined;
        if (content !== undefined && Buffer.byteLength(content, 'utf8') > MAX_TEXT_BYTES) {
          fail('invalidParameter', `text.content exceeds ${MAX_TEXT_BYTES} bytes`);
        }
        const attachments = checkAttachments(core, body.attachments);
        if (!content && attachments.length === 0) fail('invalidParameter', 'text and attachments are both empty');

        core.credentials.markWelcomeCodeUsed(code);
        const at = core.clock.nowMs();
        core.data.welcomeMessages.push({
          at,
          welcome_code: code,
          userid: check.record.userid,
          external_userid: check.record.externalUserId,
          text: content ? { content } : null,
          attachments: structuredClone(attachments),
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
