import { eq, inArray } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { openDatabase } from '../../server/db/open.js';
import { testDatabase } from '../support/database.js';
import { INSTANCE_ADMIN_TOKEN, startInstances, type Instances } from '../support/instances.js';
import { queuesSettled } from '../support/queues.js';

/**
 * kill -9 in the middle of a burst of adds (hardening issue, "Keep the probes"): after a restart on the same
 * database, every add WeCom got a 200 for is applied exactly once (one follow, one `added` item, one tagging, at most
 * one welcome), and an add that was not acknowledged is applied once or not at all, never twice.
 */
let system: Instances | undefined;
afterEach(async () => {
  await system?.stop();
  system = undefined;
});

interface SimulateResult {
  externalUserId: string;
  deliveries: { status: number | null }[];
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe('kill -9 during a burst of adds', () => {
  it('every acknowledged add is applied exactly once after the restart', async () => {
    const database = testDatabase();
    system = await startInstances(
      database.backend === 'postgres'
        ? { count: 1, databaseUrl: database.url, leaseMs: 2_000 }
        : { count: 1, databasePath: database.path, leaseMs: 2_000 },
    );
    const base = () => system!.servers[0]!.url;
    const admin = { authorization: `Bearer ${INSTANCE_ADMIN_TOKEN}`, 'content-type': 'application/json' };
    await json(
      await fetch(`${base()}/api/tags/sync`, { method: 'POST', headers: { authorization: admin.authorization } }),
    );
    const library = await json<{ groups: { tags: { id: string }[] }[] }>(
      await fetch(`${base()}/api/tags`, { headers: admin }),
    );
    const channel = await json<{ state: string }>(
      await fetch(`${base()}/api/channels`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({
          name: '崩溃测试码',
          reps: ['zhangwei', 'lina'],
          tagIds: [library.groups[0]!.tags[0]!.id],
          welcome: { text: '{客户昵称}您好' },
        }),
      }),
    );

    const results: SimulateResult[] = [];
    let next = 0;
    let crash: Promise<void> | undefined;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < 120) {
          const i = next++;
          if (i === 40) crash = system!.kill(0).then(() => system!.restart(0));
          // The last 60 go after the restart, however long it took on a loaded machine: acknowledged ones on both sides.
          if (i >= 60) await crash;
          const result = await json<SimulateResult>(
            await fetch(`${system!.emulator}/emulator/_simulate`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                changeType: 'add_external_contact',
                userId: i % 2 ? 'zhangwei' : 'lina',
                state: channel.state,
              }),
            }),
          );
          results.push(result);
        }
      }),
    );
    await crash;
    const acknowledged = results.filter((r) => r.deliveries.some((d) => d.status === 200)).map((r) => r.externalUserId);
    const refused = results.filter((r) => !r.deliveries.some((d) => d.status === 200)).map((r) => r.externalUserId);
    expect(refused.length).toBeGreaterThan(0); // the crash really hit the burst
    expect(acknowledged.length).toBeGreaterThanOrEqual(60);

    const db: Database = await openDatabase(database);
    try {
      const { follows, timelineItems } = db.t;
      const all = results.map((r) => r.externalUserId);
      await queuesSettled(db, 90_000);
      const followRows = await db
        .select({ id: follows.externalUserId })
        .from(follows)
        .where(inArray(follows.externalUserId, all));
      const addedItems = await db
        .select({ id: timelineItems.externalUserId })
        .from(timelineItems)
        .where(eq(timelineItems.kind, 'added'));
      const count = (rows: { id: string }[]) => {
        const n = new Map<string, number>();
        for (const r of rows) n.set(r.id, (n.get(r.id) ?? 0) + 1);
        return n;
      };
      const followsOf = count(followRows);
      const addedOf = count(addedItems);
      for (const id of acknowledged) {
        expect(followsOf.get(id), id).toBe(1);
        expect(addedOf.get(id), id).toBe(1);
      }
      for (const id of refused) {
        expect(followsOf.get(id) ?? 0, id).toBeLessThanOrEqual(1);
        expect(addedOf.get(id) ?? 0, id).toBeLessThanOrEqual(1);
      }
      // One tagging and at most one welcome per customer, whatever the crash interrupted.
      const calls = async (path: string) =>
        json<{ body: { external_userid?: string; welcome_code?: string } }[]>(
          await fetch(`${system!.emulator}/emulator/_calls?path=${encodeURIComponent(path)}`),
        );
      const tagged = count(
        (await calls('/cgi-bin/externalcontact/mark_tag')).map((c) => ({ id: c.body.external_userid! })),
      );
      for (const id of acknowledged) expect(tagged.get(id), id).toBe(1);
      const state = await json<{ welcomeMessages: { external_userid: string }[] }>(
        await fetch(`${system.emulator}/emulator/_state`),
      );
      const welcomed = count(state.welcomeMessages.map((w) => ({ id: w.external_userid })));
      for (const id of all) expect(welcomed.get(id) ?? 0, id).toBeLessThanOrEqual(1);
    } finally {
      await db.close();
    }
  }, 240_000);
});
