import { ok, type ApiRoute } from './cgi.js';
import type { EmulatorCore } from './core.js';
import { fail } from './errcodes.js';
import { bodyObject, charLength, optInt, optString, optStringArray, parseCursor, reqString } from './params.js';
import type { Customer, Follow } from './types.js';
import { externalContactView, followInfoView, followUserView } from './views.js';

const FOLLOW_PAGE = 500;

/** Customer reads and per-rep edits (wecom-protocol.md §4.2, §4.4 mark_tag, §4.5 remark). */
export function externalContactRoutes(core: EmulatorCore): ApiRoute[] {
  const rep = (userid: string | undefined) => {
    if (!userid) fail('missingUserId');
    const found = core.findRep(userid);
    if (!found) fail('invalidUserId', userid);
    return found;
  };
  const customer = (externalUserId: string | undefined): Customer => {
    if (!externalUserId) fail('invalidParameter', 'missing external_userid');
    const found = core.findCustomer(externalUserId);
    if (!found) fail('invalidExternalUserId');
    return found;
  };
  /** The relation between a rep and a customer; 84061 when that rep does not follow the customer. */
  const relation = (body: Record<string, unknown>): { c: Customer; f: Follow } => {
    const userid = reqString(body, 'userid');
    rep(userid);
    const c = customer(optString(body, 'external_userid'));
    const f = core.findFollow(c, userid);
    if (!f) fail('notExternalContact');
    return { c, f };
  };

  return [
    {
      method: 'GET',
      path: '/cgi-bin/externalcontact/get_follow_user_list',
      handler: () => ok({ follow_user: core.data.reps.map((r) => r.userid) }),
    },
    {
      method: 'GET',
      path: '/cgi-bin/externalcontact/list',
      handler: (req) => {
        const { userid } = rep(req.query.userid);
        const ids = core.data.customers.filter((c) => core.findFollow(c, userid)).map((c) => c.external_userid);
        // WeCom answers 84061 rather than an empty list for a member without customers.
        if (ids.length === 0) fail('notExternalContact');
        return ok({ external_userid: ids });
      },
    },
    {
      method: 'GET',
      path: '/cgi-bin/externalcontact/get',
      handler: (req) => {
        const c = customer(req.query.external_userid);
        if (c.follows.length === 0) fail('notExternalContact');
        const start = parseCursor(req.query.cursor);
        const page = c.follows.slice(start, start + FOLLOW_PAGE);
        const next = start + FOLLOW_PAGE < c.follows.length ? String(start + FOLLOW_PAGE) : undefined;
        return ok({
          external_contact: externalContactView(core, c),
          follow_user: page.map((f) => followUserView(core, f)),
          ...(next ? { next_cursor: next } : {}),
        });
      },
    },
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/batch/get_by_user',
      handler: (req) => {
        const body = bodyObject(req.body);
        const userids = optStringArray(body, 'userid_list') ?? [];
        if (userids.length === 0 || userids.length > 100)
          fail('invalidParameter', 'userid_list must hold 1 to 100 userids');
        for (const u of userids) rep(u);
        const limit = optInt(body, 'limit') ?? 50;
        if (limit < 1 || limit > 100) fail('invalidParameter', 'limit must be 1 to 100');
        const start = parseCursor(optString(body, 'cursor'));
        const pairs = userids.flatMap((u) =>
          core.data.customers
            .flatMap((c) => {
              const f = core.findFollow(c, u);
              return f ? [{ c, f }] : [];
            })
            .sort((a, b) => a.f.createtime - b.f.createtime),
        );
        const page = pairs.slice(start, start + limit);
        return ok({
          external_contact_list: page.map(({ c, f }) => ({
            external_contact: externalContactView(core, c),
            follow_info: followInfoView(core, f),
          })),
          next_cursor: start + limit < pairs.length ? String(start + limit) : '',
        });
      },
    },
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/remark',
      handler: (req) => {
        const body = bodyObject(req.body);
        const { c, f } = relation(body);
        const remark = optString(body, 'remark');
        const description = optString(body, 'description');
        const remarkCompany = optString(body, 'remark_company');
        const mobiles = optStringArray(body, 'remark_mobiles');
        const pic = optString(body, 'remark_pic_mediaid');
        if ([remark, description, remarkCompany, mobiles, pic].every((v) => v === undefined)) {
          fail(
            'invalidParameter',
            'remark, description, remark_company, remark_mobiles and remark_pic_mediaid are all empty',
          );
        }
        if (remark !== undefined && charLength(remark) > 20) fail('invalidParameter', 'remark exceeds 20 characters');
        if (description !== undefined && charLength(description) > 150) {
          fail('invalidParameter', 'description exceeds 150 characters');
        }
        if (remarkCompany !== undefined && charLength(remarkCompany) > 20) {
          fail('invalidParameter', 'remark_company exceeds 20 characters');
        }
        if (mobiles !== undefined && mobiles.length > 5) fail('invalidParameter', 'at most 5 remark_mobiles');
        if (pic !== undefined && !core.isLiveMedia(pic)) fail('invalidMediaId');
        if (remark !== undefined) f.remark = remark;
        if (description !== undefined) f.description = description;
        // remark_company only applies to WeChat customers [D-96317].
        if (remarkCompany !== undefined && c.type === 1) f.remark_corp_name = remarkCompany;
        if (mobiles !== undefined) f.remark_mobiles = mobiles.filter((m) => m !== '');
        core.changed();
        return ok();
      },
    },
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/mark_tag',
      handler: (req) => {
        const body = bodyObject(req.body);
        const add = optStringArray(body, 'add_tag') ?? [];
        const remove = optStringArray(body, 'remove_tag') ?? [];
        const { f } = relation(body);
        if (add.length === 0 && remove.length === 0) fail('invalidParameter', 'add_tag and remove_tag are both empty');
        for (const id of [...add, ...remove]) if (!core.findTag(id)) fail('invalidTagId', id);
        const next = new Set(f.tag_ids.filter((id) => !remove.includes(id)));
        for (const id of add) next.add(id);
        f.tag_ids = [...next];
        core.changed();
        return ok();
      },
    },
  ];
}
