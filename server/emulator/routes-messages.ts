import { ok, type ApiRoute } from './cgi.js';
import type { EmulatorCore } from './core.js';
import { fail } from './errcodes.js';
import { newMsgId } from './ids.js';
import { bodyObject, optInt, optObject, optString, reqString } from './params.js';
import { findRobot } from './robots.js';

const APP_MSG_TYPES = [
  'text',
  'image',
  'voice',
  'video',
  'file',
  'textcard',
  'news',
  'mpnews',
  'markdown',
  'miniprogram_notice',
  'template_card',
];
/** Group-robot message types and, where WeCom states one, the content limit in bytes. */
const ROBOT_TYPES: Record<string, number | null> = {
  text: 2048,
  markdown: 4096,
  markdown_v2: 4096,
  image: null,
  news: null,
  file: null,
  voice: null,
  template_card: null,
};
const ROBOT_PER_MINUTE = 20;

/** message/send (app message to members, §4.11) and webhook/send (group robot, §4.12). */
export function messageRoutes(core: EmulatorCore): ApiRoute[] {
  return [
    {
      method: 'POST',
      path: '/cgi-bin/message/send',
      handler: (req) => {
        const body = bodyObject(req.body);
        const msgtype = reqString(body, 'msgtype');
        if (!APP_MSG_TYPES.includes(msgtype)) fail('invalidMsgType', msgtype);
        if (optInt(body, 'agentid') !== core.corp.agentId) fail('invalidAgentId');
        const inner = optObject(body, msgtype);
        if (!inner) fail('invalidParameter', `missing ${msgtype}`);
        if (msgtype === 'text' && !optString(inner, 'content')) fail('emptyContent');

        const split = (key: string) => (optString(body, key) ?? '').split('|').filter((s) => s !== '');
        const toUser = split('touser');
        const toParty = split('toparty');
        const toTag = split('totag');
        const users = toUser.includes('@all')
          ? core.data.reps.map((r) => r.userid)
          : toUser.filter((u) => core.findRep(u));
        const invalidUser = toUser.filter((u) => u !== '@all' && !core.findRep(u));
        const invalidParty = toParty.filter((p) => !core.data.departments.some((d) => String(d.id) === p));
        const parties = toParty.filter((p) => !invalidParty.includes(p)).map(Number);
        for (const rep of core.data.reps) {
          if (
            rep.department.some((d) => parties.some((p) => core.departmentTree(p).includes(d))) &&
            !users.includes(rep.userid)
          ) {
            users.push(rep.userid);
          }
        }
        // The emulated corp has no member tags: every totag is invalid.
        if (users.length === 0) fail('allTargetsInvalid');

        // enable_duplicate_check: the same request (touser and content) within the interval is answered but not
        // delivered again, as WeCom does.
        if (optInt(body, 'enable_duplicate_check') === 1) {
          const interval = (optInt(body, 'duplicate_check_interval') ?? 1800) * 1000;
          const now = core.clock.nowMs();
          const same = canonicalJson(body);
          const earlier = core.data.appMessages.find((m) => m.at > now - interval && canonicalJson(m.body) === same);
          if (earlier) {
            return ok({ invaliduser: invalidUser.join('|'), invalidparty: '', invalidtag: '', msgid: earlier.msgid });
          }
        }
        const msgid = newMsgId();
        core.data.appMessages.push({
          at: core.clock.nowMs(),
          msgid,
          touser: users,
          msgtype,
          body: structuredClone(body),
        });
        core.changed();
        return ok({
          invaliduser: invalidUser.join('|'),
          invalidparty: invalidParty.join('|'),
          invalidtag: toTag.join('|'),
          unlicenseduser: '',
          msgid,
          response_code: '',
        });
      },
    },
    {
      method: 'POST',
      path: '/cgi-bin/webhook/send',
      auth: false,
      handler: (req) => {
        const key = req.query.key ?? '';
        if (!/^[A-Za-z0-9-]{1,64}$/.test(key)) fail('invalidWebhookKey');
        // A robot removed from its group: its address is no longer valid.
        if (findRobot(core, key)?.disabled) fail('invalidWebhookKey');
        const body = bodyObject(req.body);
        const msgtype = reqString(body, 'msgtype');
        if (!(msgtype in ROBOT_TYPES)) fail('invalidMsgType', msgtype);
        const inner = optObject(body, msgtype);
        if (!inner) fail('invalidParameter', `missing ${msgtype}`);
        const limit = ROBOT_TYPES[msgtype];
        if (limit) {
          const content = optString(inner, 'content');
          if (!content) fail('emptyContent');
          if (Buffer.byteLength(content, 'utf8') > limit) fail('invalidParameter', `content exceeds ${limit} bytes`);
        }
        const now = core.clock.nowMs();
        const recent = core.data.webhookMessages.filter((m) => m.key === key && m.at > now - 60_000).length;
        if (recent >= ROBOT_PER_MINUTE) fail('freqLimit', `send too fast, exceed ${ROBOT_PER_MINUTE} times per minute`);
        core.data.webhookMessages.push({ at: now, msgid: newMsgId(), key, msgtype, body: structuredClone(body) });
        core.changed();
        return ok();
      },
    },
  ];
}

/** JSON with object keys sorted: two requests with the same content compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
