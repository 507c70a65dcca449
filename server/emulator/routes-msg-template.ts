import { checkAttachments } from './attachments.js';
import { ok, type ApiRoute } from './cgi.js';
import type { EmulatorCore } from './core.js';
import { fail } from './errcodes.js';
import { newTemplateMsgId } from './ids.js';
import { bodyObject, optObject, optString, optStringArray } from './params.js';

const MAX_CUSTOMERS = 10_000;

/**
 * add_msg_template (企业群发, §4.8, [D-92135]): records the task. Customers that are unknown, or not customers of
 * the sender, come back in fail_list, as WeCom reports them.
 */
export function msgTemplateRoutes(core: EmulatorCore): ApiRoute[] {
  return [
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/add_msg_template',
      handler: (req) => {
        const body = bodyObject(req.body);
        const chatType = optString(body, 'chat_type') ?? 'single';
        if (chatType !== 'single' && chatType !== 'group')
          fail('invalidParameter', 'chat_type must be single or group');
        const sender = optString(body, 'sender') ?? '';
        if (sender && !core.findRep(sender)) fail('invalidUserId', sender);
        if (chatType === 'group' && !sender) fail('invalidParameter', 'sender is required for chat_type group');
        const externalIds = optStringArray(body, 'external_userid') ?? [];
        if (externalIds.length > MAX_CUSTOMERS) fail('invalidParameter', `at most ${MAX_CUSTOMERS} external_userid`);
        const tagFilter = optObject(body, 'tag_filter');
        if (chatType === 'single' && externalIds.length === 0 && !tagFilter && !sender) {
          fail('invalidParameter', 'external_userid, tag_filter and sender are all empty');
        }
        const text = optObject(body, 'text');
        const content = text ? optString(text, 'content') : undefined;
        const attachments = checkAttachments(core, body.attachments);
        if (!content && attachments.length === 0) fail('invalidParameter', 'text and attachments are both empty');

        const reachable = (id: string) => {
          const c = core.findCustomer(id);
          return !!c && c.follows.length > 0 && (!sender || c.follows.some((f) => f.userid === sender));
        };
        const failList = externalIds.filter((id) => !reachable(id));
        const msgid = newTemplateMsgId();
        core.data.msgTemplates.push({
          at: core.clock.nowMs(),
          msgid,
          chat_type: chatType,
          sender,
          external_userid: externalIds.filter(reachable),
          fail_list: failList,
          body: structuredClone(body),
        });
        core.changed();
        return ok({ fail_list: failList, msgid });
      },
    },
  ];
}
