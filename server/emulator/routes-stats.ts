import { ok, type ApiRoute } from './cgi.js';
import type { EmulatorCore } from './core.js';
import { fail } from './errcodes.js';
import { bodyObject, optInt, optIntArray, optStringArray } from './params.js';
import { hash32 } from './prng.js';

const DAY = 86_400;
/** WeCom's days are Beijing days (UTC+8). */
const TZ_OFFSET = 8 * 3600;
const MAX_SPAN_DAYS = 30;
const MAX_AGE_DAYS = 180;

export function beijingDayStart(unixSeconds: number): number {
  return Math.floor((unixSeconds + TZ_OFFSET) / DAY) * DAY - TZ_OFFSET;
}

interface DayStats {
  chat_cnt: number;
  message_cnt: number;
  reply_percentage: number;
  avg_reply_time: number;
  negative_feedback_cnt: number;
  new_apply_cnt: number;
  new_contact_cnt: number;
}

/**
 * get_user_behavior_data (§4.6). Numbers are plausible, not random: a stable hash of (userid, day) gives the
 * baseline chat volume, and recorded activity adds to it — customers added that day, customers who deleted the
 * rep that day, welcome messages sent that day.
 */
export function statsRoutes(core: EmulatorCore): ApiRoute[] {
  const statsOf = (userid: string, day: number): DayStats => {
    const dayEnd = day + DAY;
    const inDay = (sec: number) => sec >= day && sec < dayEnd;
    if (day > core.clock.nowSeconds()) {
      return {
        chat_cnt: 0,
        message_cnt: 0,
        reply_percentage: 0,
        avg_reply_time: 0,
        negative_feedback_cnt: 0,
        new_apply_cnt: 0,
        new_contact_cnt: 0,
      };
    }
    const h = hash32(`${userid}|${day}`);
    const weekday = new Date((day + TZ_OFFSET) * 1000).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const newContacts = core.data.customers.filter((c) =>
      c.follows.some((f) => f.userid === userid && inDay(f.createtime)),
    ).length;
    const activity = core.data.activity.filter((a) => a.userid === userid && inDay(Math.floor(a.at / 1000)));
    const lost = activity.filter((a) => a.kind === 'del_follow_user').length;
    const welcomes = activity.filter((a) => a.kind === 'welcome').length;
    const chats = (weekend ? 1 : 3) + (h % (weekend ? 4 : 10)) + newContacts + welcomes;
    const messages = chats * (3 + ((h >>> 8) % 6)) + welcomes;
    return {
      chat_cnt: chats,
      message_cnt: messages,
      reply_percentage: 70 + ((h >>> 12) % 31),
      avg_reply_time: 1 + ((h >>> 17) % 30),
      negative_feedback_cnt: lost,
      new_apply_cnt: newContacts + ((h >>> 22) % 3),
      new_contact_cnt: newContacts,
    };
  };

  return [
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/get_user_behavior_data',
      handler: (req) => {
        const body = bodyObject(req.body);
        const userids = optStringArray(body, 'userid') ?? [];
        const partyids = optIntArray(body, 'partyid') ?? [];
        if (userids.length === 0 && partyids.length === 0)
          fail('invalidParameter', 'userid and partyid are both empty');
        if (userids.length > 100 || partyids.length > 100)
          fail('invalidParameter', 'at most 100 userids and 100 partyids');
        for (const u of userids) if (!core.findRep(u)) fail('invalidUserId', u);
        for (const p of partyids)
          if (!core.data.departments.some((d) => d.id === p)) fail('invalidDepartmentId', String(p));
        const startRaw = optInt(body, 'start_time');
        const endRaw = optInt(body, 'end_time');
        if (startRaw === undefined || endRaw === undefined)
          fail('invalidParameter', 'start_time and end_time are required');
        const start = beijingDayStart(startRaw);
        const end = beijingDayStart(endRaw);
        if (end < start) fail('invalidParameter', 'end_time is before start_time');
        if ((end - start) / DAY + 1 > MAX_SPAN_DAYS)
          fail('invalidParameter', `the range spans more than ${MAX_SPAN_DAYS} days`);
        if (start < beijingDayStart(core.clock.nowSeconds()) - MAX_AGE_DAYS * DAY) {
          fail('invalidParameter', `only the last ${MAX_AGE_DAYS} days can be queried`);
        }

        const members = new Set(userids);
        for (const p of partyids) {
          const depts = core.departmentTree(p);
          for (const r of core.data.reps) if (r.department.some((d) => depts.includes(d))) members.add(r.userid);
        }
        const data = [];
        for (let day = start; day <= end; day += DAY) {
          const each = [...members].map((u) => statsOf(u, day));
          const sum = (k: keyof DayStats) => each.reduce((n, s) => n + s[k], 0);
          const chats = sum('chat_cnt');
          const weighted = (k: 'reply_percentage' | 'avg_reply_time') =>
            chats === 0 ? 0 : each.reduce((n, s) => n + s[k] * s.chat_cnt, 0) / chats;
          data.push({
            stat_time: day,
            chat_cnt: chats,
            message_cnt: sum('message_cnt'),
            reply_percentage: Math.round(weighted('reply_percentage') * 100) / 100,
            avg_reply_time: Math.round(weighted('avg_reply_time')),
            negative_feedback_cnt: sum('negative_feedback_cnt'),
            new_apply_cnt: sum('new_apply_cnt'),
            new_contact_cnt: sum('new_contact_cnt'),
          });
        }
        return ok({ behavior_data: data });
      },
    },
  ];
}
