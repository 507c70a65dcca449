import { asc, count } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/db/open.js';
import { laneOf } from '../../../server/modules/events/lane.js';
import { createEventRepo } from '../../../server/modules/events/repo.js';
import { buildExternalContactEventXml, eventTypeOf, idempotencyKey, parseEvent } from '../../../server/wecom/events.js';
import { olderSqliteDatabase } from '../../support/migrations.js';

describe('migration 0004 (inbox keys lead with CreateTime)', () => {
  it('prefixes the stored keys, so a retry of an event stored before the upgrade is still a duplicate', async () => {
    // A SQLite file as the release before 0004 left it.
    const { path, sqlite } = olderSqliteDatabase(4);
    sqlite
      .prepare(
        `INSERT INTO corps (corp_id, name, agent_id, secret_sealed, token_sealed, encoding_aes_key_sealed)
         VALUES ('ww1', '演示企业', 1000002, 's', 't', 'k')`,
      )
      .run();
    const xml = buildExternalContactEventXml({
      corpId: 'ww1',
      changeType: 'add_external_contact',
      userId: 'zhangsan',
      externalUserId: 'wmA',
      createTime: 1403610513,
    });
    const event = parseEvent(xml);
    const insert = sqlite.prepare(
      `INSERT INTO events (corp_id, idempotency_key, event_type, raw_xml, payload, next_attempt_at, received_at)
       VALUES ('ww1', ?, ?, ?, ?, 0, 0)`,
    );
    // The key format of releases before 0004, and a row whose payload has no createTime.
    insert.run(
      'change_external_contact|add_external_contact|zhangsan|wmA|1403610513',
      eventTypeOf(event),
      xml,
      JSON.stringify(event),
    );
    insert.run('legacy-without-time', 'unknown', '<xml/>', '{}');
    sqlite.close();

    // The server opens it: every later migration applies.
    const db = await openDatabase({ backend: 'sqlite', path });
    try {
      const { events } = db.t;
      const keys = await db.select({ key: events.idempotencyKey }).from(events).orderBy(asc(events.id));
      expect(keys.map((k) => k.key)).toEqual([
        '1403610513|change_external_contact|add_external_contact|zhangsan|wmA|1403610513',
        'legacy-without-time',
      ]);
      expect(keys[0]!.key).toBe(idempotencyKey(event));

      const repo = createEventRepo(db);
      const retry = {
        corpId: 'ww1',
        idempotencyKey: idempotencyKey(event),
        eventType: eventTypeOf(event),
        rawXml: xml,
        payload: event,
        lane: laneOf('ww1', event),
        occurredAt: event.createTime * 1000,
        receivedAt: 1,
      };
      expect(await repo.insertMany(db, [retry])).toEqual([false]);
      expect(await db.select({ n: count() }).from(events)).toEqual([{ n: 2 }]);
    } finally {
      await db.close();
    }
  });
});
