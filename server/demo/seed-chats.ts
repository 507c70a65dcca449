import type { FastifyInstance } from 'fastify';
import type { ChatInput } from '../emulator/archive-messages.js';
import { demoChats, GROUP_LINES } from './chat-histories.js';
import { VIP_GROUP_KEYS, personaExternalUserId } from './personas.js';

const HOUR_MS = 3_600_000;
/** Nothing is dated later than this before the seeding. */
const LATEST_MS_BEFORE_NOW = 60_000;

/**
 * The demo customers' chat histories (server/demo/chat-histories.ts), written into the emulator's archive — dated
 * on each story's clock — then pulled by the real puller (stand-in SDK → decrypt → store), and the demo's keyword
 * rules. Once: an archive that holds messages (kept in the emulator's state file) is not seeded again.
 */
export async function seedChats(app: FastifyInstance, corpId = app.defaultCorp.corpId, now = Date.now()) {
  const emulator = app.emulator;
  const rules = await app.modules.keywords.service.seedDemo(corpId);
  if (!emulator || emulator.archive.summary().messages > 0) return { rules, messages: 0 };

  const snapshot = emulator.snapshot();
  const addedAt = new Map<string, number>();
  for (const c of snapshot.customers)
    for (const f of c.follow_user) addedAt.set(`${f.userid}\n${c.external_userid}`, (f.createtime ?? 0) * 1000);
  const latest = now - LATEST_MS_BEFORE_NOW;

  const inputs: Array<{ at: number; input: ChatInput }> = [];
  for (const { follow, lines } of demoChats()) {
    for (const line of lines) {
      const t0 = addedAt.get(`${line.rep}\n${line.customer}`);
      if (t0 === undefined) continue; // a persona this emulator state does not know
      const at = t0 + Math.round(line.h * HOUR_MS);
      if (at > latest || at < t0) continue;
      const [from, to] = line.from === 'customer' ? [line.customer, line.rep] : [line.rep, line.customer];
      inputs.push({
        at,
        input: {
          from,
          to,
          msgtype: line.kind,
          text: line.text,
          content: line.content as ChatInput['content'],
          corrupt: false,
          notify: false,
          msgtime: at,
        },
      });
    }
    void follow;
  }

  // The VIP customers' group: its owner and the first members who are demo customers.
  const vip = new Set(VIP_GROUP_KEYS.map(personaExternalUserId));
  const group = snapshot.groupChats.find((g) => g.member_list.some((m) => vip.has(m.userid)));
  if (group) {
    const members = group.member_list.filter((m) => vip.has(m.userid)).map((m) => m.userid);
    for (const line of GROUP_LINES) {
      const from = line.from === 'owner' ? group.owner : members[line.from];
      if (!from) continue;
      const at = now + line.h * HOUR_MS;
      inputs.push({
        at,
        input: {
          from,
          roomId: group.chat_id,
          msgtype: 'text',
          text: line.text,
          corrupt: false,
          notify: false,
          msgtime: at,
        },
      });
    }
  }

  // In time order, as WeCom would have archived them (seq follows msgtime).
  inputs.sort((a, b) => a.at - b.at);
  let messages = 0;
  for (const { input } of inputs) {
    try {
      await emulator.archive.chat(input);
      messages += 1;
    } catch (err) {
      app.log.debug({ err, from: input.from }, 'a demo chat line was not archived');
    }
  }
  await app.modules.archive.service.requestPull(corpId, 'demo');
  return { rules, messages };
}
