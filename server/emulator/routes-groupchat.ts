import { ok, type ApiRoute } from './cgi.js';
import type { EmulatorCore } from './core.js';
import { fail } from './errcodes.js';
import { bodyObject, optInt, optObject, optString, optStringArray, parseCursor, reqString } from './params.js';

/** 客户群 reads (wecom-protocol.md §4.7, [D-96338]). */
export function groupChatRoutes(core: EmulatorCore): ApiRoute[] {
  return [
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/groupchat/list',
      handler: (req) => {
        const body = bodyObject(req.body);
        const limit = optInt(body, 'limit');
        if (limit === undefined || limit < 1 || limit > 1000) fail('invalidParameter', 'limit must be 1 to 1000');
        const status = optInt(body, 'status_filter') ?? 0;
        if (![0, 1, 2, 3].includes(status)) fail('invalidParameter', 'status_filter must be 0 to 3');
        const ownerFilter = optObject(body, 'owner_filter');
        const owners = ownerFilter ? (optStringArray(ownerFilter, 'userid_list') ?? []) : [];
        if (owners.length > 100) fail('invalidParameter', 'owner_filter.userid_list holds at most 100 userids');
        const offset = parseCursor(optString(body, 'cursor'));
        const list = core.data.groupChats.filter(
          (g) => (status === 0 || g.status === status) && (owners.length === 0 || owners.includes(g.owner)),
        );
        return ok({
          group_chat_list: list.slice(offset, offset + limit).map((g) => ({ chat_id: g.chat_id, status: g.status })),
          ...(offset + limit < list.length ? { next_cursor: String(offset + limit) } : {}),
        });
      },
    },
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/groupchat/get',
      handler: (req) => {
        const body = bodyObject(req.body);
        const chatId = reqString(body, 'chat_id');
        const needName = optInt(body, 'need_name') === 1;
        const chat = core.data.groupChats.find((g) => g.chat_id === chatId);
        if (!chat) fail('invalidChatId');
        return ok({
          group_chat: {
            chat_id: chat.chat_id,
            name: chat.name,
            owner: chat.owner,
            create_time: chat.create_time,
            notice: chat.notice,
            member_list: chat.member_list.map(({ name, ...m }) => (needName ? { ...m, name } : { ...m })),
            admin_list: chat.admin_list.map((a) => ({ ...a })),
            member_version: chat.member_version,
          },
        });
      },
    },
  ];
}
