import { ok, type ApiRoute } from './cgi.js';
import type { EmulatorCore } from './core.js';
import { fail } from './errcodes.js';
import { newConfigId } from './ids.js';
import {
  bodyObject,
  charLength,
  optBool,
  optInt,
  optIntArray,
  optObject,
  optString,
  optStringArray,
  parseCursor,
  reqString,
  type Json,
} from './params.js';
import type { ContactWay } from './types.js';
import { contactWayView } from './views.js';

const MAX_STATE = 30;
const MAX_REMARK = 30;
const DAY = 86_400;

/** 「联系我」 channel codes (wecom-protocol.md §4.3, [D-96311], [D-96348]). */
export function contactWayRoutes(core: EmulatorCore): ApiRoute[] {
  const checkUsers = (users: string[]) => {
    for (const u of users) if (!core.findRep(u)) fail('invalidUserId', u);
  };
  const checkParties = (parties: number[]) => {
    for (const p of parties) if (!core.data.departments.some((d) => d.id === p)) fail('invalidDepartmentId', String(p));
  };
  const checkMembers = (type: 1 | 2, users: string[], parties: number[], isTemp: boolean) => {
    if (type === 1 && (users.length !== 1 || parties.length > 0)) {
      fail('invalidParameter', 'type 1 (单人) needs exactly one user and no party');
    }
    if (type === 2 && users.length + parties.length === 0)
      fail('invalidParameter', 'type 2 (多人) needs users or parties');
    if (users.length > 100 || parties.length > 100) fail('invalidParameter', 'at most 100 users and 100 parties');
    if (isTemp && type !== 1) fail('invalidParameter', 'is_temp is only allowed for type 1');
    checkUsers(users);
    checkParties(parties);
  };
  const checkText = (value: string | undefined, max: number, key: string) => {
    if (value !== undefined && charLength(value) > max) fail('invalidParameter', `${key} exceeds ${max} characters`);
  };
  const checkExpiry = (value: number | undefined, key: string) => {
    if (value !== undefined && (value <= 0 || value > 14 * DAY))
      fail('invalidParameter', `${key} must be 1 to 1209600 seconds`);
  };
  const way = (body: Json): ContactWay => {
    const configId = reqString(body, 'config_id');
    const found = core.findContactWay(configId);
    if (!found) fail('invalidParameter', `invalid config_id ${configId}`);
    return found;
  };

  return [
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/add_contact_way',
      handler: (req) => {
        const body = bodyObject(req.body);
        const type = optInt(body, 'type');
        const scene = optInt(body, 'scene');
        if (type !== 1 && type !== 2) fail('invalidParameter', 'type must be 1 or 2');
        if (scene !== 1 && scene !== 2) fail('invalidParameter', 'scene must be 1 or 2');
        const remark = optString(body, 'remark') ?? '';
        const state = optString(body, 'state') ?? '';
        checkText(remark, MAX_REMARK, 'remark');
        checkText(state, MAX_STATE, 'state');
        const users = optStringArray(body, 'user') ?? [];
        const parties = optIntArray(body, 'party') ?? [];
        const isTemp = optBool(body, 'is_temp') ?? false;
        checkMembers(type, users, parties, isTemp);
        const expiresIn = optInt(body, 'expires_in');
        const chatExpiresIn = optInt(body, 'chat_expires_in');
        checkExpiry(expiresIn, 'expires_in');
        checkExpiry(chatExpiresIn, 'chat_expires_in');

        const record: ContactWay = {
          config_id: newConfigId(),
          type,
          scene,
          style: optInt(body, 'style') ?? 0,
          remark,
          skip_verify: optBool(body, 'skip_verify') ?? true,
          state,
          user: [...new Set(users)],
          party: [...new Set(parties)],
          is_temp: isTemp,
          expires_in: isTemp ? (expiresIn ?? 7 * DAY) : 0,
          chat_expires_in: isTemp ? (chatExpiresIn ?? DAY) : 0,
          unionid: optString(body, 'unionid') ?? '',
          conclusions: optObject(body, 'conclusions') ?? null,
          create_time: core.clock.nowSeconds(),
          next_user_index: 0,
        };
        core.data.contactWays.push(record);
        core.changed();
        return ok({
          config_id: record.config_id,
          ...(scene === 2 ? { qr_code: core.qrPageUrl(record.config_id) } : {}),
        });
      },
    },
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/get_contact_way',
      handler: (req) => ok({ contact_way: contactWayView(core, way(bodyObject(req.body))) }),
    },
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/update_contact_way',
      handler: (req) => {
        const body = bodyObject(req.body);
        const w = way(body);
        const remark = optString(body, 'remark');
        const state = optString(body, 'state');
        checkText(remark, MAX_REMARK, 'remark');
        checkText(state, MAX_STATE, 'state');
        const users = optStringArray(body, 'user');
        const parties = optIntArray(body, 'party');
        const nextUsers = users ?? w.user;
        const nextParties = parties ?? w.party;
        if (users !== undefined || parties !== undefined) checkMembers(w.type, nextUsers, nextParties, w.is_temp);
        const expiresIn = optInt(body, 'expires_in');
        const chatExpiresIn = optInt(body, 'chat_expires_in');
        checkExpiry(expiresIn, 'expires_in');
        checkExpiry(chatExpiresIn, 'chat_expires_in');
        const style = optInt(body, 'style');
        const skipVerify = optBool(body, 'skip_verify');
        const unionid = optString(body, 'unionid');
        const conclusions = optObject(body, 'conclusions');

        if (remark !== undefined) w.remark = remark;
        if (state !== undefined) w.state = state;
        if (users !== undefined) {
          w.user = [...new Set(nextUsers)];
          w.next_user_index = 0;
        }
        if (parties !== undefined) w.party = [...new Set(nextParties)];
        if (style !== undefined) w.style = style;
        if (skipVerify !== undefined) w.skip_verify = skipVerify;
        if (w.is_temp && expiresIn !== undefined) w.expires_in = expiresIn;
        if (w.is_temp && chatExpiresIn !== undefined) w.chat_expires_in = chatExpiresIn;
        if (unionid !== undefined) w.unionid = unionid;
        if (conclusions !== undefined) w.conclusions = conclusions;
        core.changed();
        return ok();
      },
    },
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/del_contact_way',
      handler: (req) => {
        const w = way(bodyObject(req.body));
        core.data.contactWays = core.data.contactWays.filter((x) => x !== w);
        core.changed();
        return ok();
      },
    },
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/list_contact_way',
      handler: (req) => {
        const body = bodyObject(req.body);
        const now = core.clock.nowSeconds();
        const end = optInt(body, 'end_time') ?? now;
        const start = optInt(body, 'start_time') ?? end - 90 * DAY;
        if (start > end) fail('invalidParameter', 'start_time is after end_time');
        const limit = optInt(body, 'limit') ?? 100;
        if (limit < 1 || limit > 1000) fail('invalidParameter', 'limit must be 1 to 1000');
        const offset = parseCursor(optString(body, 'cursor'));
        const list = core.data.contactWays.filter((w) => w.create_time >= start && w.create_time <= end);
        const page = list.slice(offset, offset + limit);
        return ok({
          contact_way: page.map((w) => ({ config_id: w.config_id })),
          ...(offset + limit < list.length ? { next_cursor: String(offset + limit) } : {}),
        });
      },
    },
  ];
}
