import { asc } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/db/open.js';
import { laneOf, laneOrderOf } from '../../../server/modules/events/lane.js';
import { createEventRepo } from '../../../server/modules/events/repo.js';
import { buildExternalContactEventXml, eventTypeOf, idempotencyKey, parseEvent } from '../../../server/wecom/events.js';
import { olderSqliteDatabase } from '../../support/migrations.js';

/**
 * Migration 0007 (the data layer) on a SQLite file made by the release before it: the inbox and jobs keep their
 * rows, work an old process was doing is taken over at once (an expired lease), and unfinished events get the lane
 * and the order the worker now reads from columns.
 */
describe('migration 0007: an existing SQLite database upgrades in place', () => {
  it('keeps the rows, leases interrupted work, and backfills lanes and order of unfinished events', async () => {
    const { path, sqlite } = olderSqliteDatabase(7);
    sqlite
      .prepare(
        `INSERT INTO corps (corp_id, name, agent_id, secret_sealed, token_sealed, encoding_aes_key_sealed)
         VALUES ('ww1', '演示企业', 1000002, 's', 't', 'k')`,
      )
      .run();
    const event = (changeType: 'add_external_contact' | 'del_follow_user', externalUserId: string) =>
      parseEvent(
        buildExternalContactEventXml({
          corpId: 'ww1',
          changeType,
          userId: 'zhangsan',
          externalUserId,
          createTime: 1_800_000_000,
        }),
      );
    const insert = sqlite.prepare(
      `INSERT INTO events (corp_id, idempotency_key, event_type, raw_xml, payload, status, next_attempt_at, received_at)
       VALUES ('ww1', ?, ?, '<xml/>', ?, ?, 0, 0)`,
    );
    const rows = [
      [event('del_follow_user', 'wmA'), 'pending'],
      [event('add_external_contact', 'wmA'), 'processing'],
      [event('add_external_contact', 'wmB'), 'done'],
    ] as const;
    for (const [e, status] of rows) insert.run(idempotencyKey(e), eventTypeOf(e), JSON.stringify(e), status);
    sqlite
      .prepare(
        `INSERT INTO jobs (corp_id, kind, dedupe_key, payload, status, run_at) VALUES ('ww1', 'mark_tag', 'k', '{}', 'running', 0)`,
      )
      .run();
    sqlite.close();

    const db = await openDatabase({ backend: 'sqlite', path });
    try {
      const { events, jobs } = db.t;
      const after = await db.select().from(events).orderBy(asc(events.id));
      expect(after.map((e) => e.status)).toEqual(['pending', 'running', 'done']);
      // What the callback service computes for new rows.
      expect(after[0]).toMatchObject({ lane: laneOf('ww1', rows[0][0]), occurredAt: laneOrderOf(rows[0][0]) });
      expect(after[1]).toMatchObject({
        lane: laneOf('ww1', rows[1][0]),
        occurredAt: laneOrderOf(rows[1][0]),
        leaseUntil: 0,
      });
      expect(after[2]!.lane).toBeNull();
      const [job] = await db.select().from(jobs);
      expect(job).toMatchObject({ status: 'running', leaseUntil: 0 });

      // Any instance takes the interrupted add over at once, and the deletion waits behind it (same second).
      const repo = createEventRepo(db);
      expect(await repo.queue.claim('new-process', Date.now(), 10, 30_000)).toEqual([after[1]!.id]);
    } finally {
      await db.close();
    }
  });
});
