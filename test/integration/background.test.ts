import { asc, count } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app.js';
import type { QueueStatus } from '../../server/db/schema/queue.js';
import type { WecomEvent } from '../../server/wecom/events.js';
import { testConfig, waitFor } from '../support/app.js';
import { CORP } from '../support/scrm.js';

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const DAY = 86_400_000;

describe('background jobs at boot', () => {
  it('run once each: the directory, contacts and tags get mirrored and old handled work is pruned', async () => {
    // Built but not listening yet: the scheduler starts (and enqueues its at-start entries) once the app listens.
    app = await buildApp({ ...testConfig(), backgroundJobs: true }, { logger: false });
    const db = app.db;
    const { events } = db.t;
    const event = (key: string, status: QueueStatus, at: number) =>
      db.insert(events).values({
        corpId: CORP,
        idempotencyKey: key,
        eventType: 'change_external_contact/add_external_contact',
        rawXml: '<xml/>',
        payload: {} as WecomEvent,
        status,
        nextAttemptAt: at,
        receivedAt: at,
      });
    const old = Date.now() - 40 * DAY;
    await event('old-done', 'done', old);
    await event('old-failed', 'failed', old);
    await event('recent-done', 'done', Date.now());
    const rowsOf = async (table: 'reps' | 'contacts' | 'tags') =>
      Number((await db.select({ n: count() }).from(db.t[table]))[0]!.n);
    expect(await rowsOf('reps')).toBe(0);

    await app.listen({ port: 0, host: '127.0.0.1' });
    const keys = async () =>
      (await db.select({ k: events.idempotencyKey }).from(events).orderBy(asc(events.id))).map((r) => r.k);
    await waitFor(async () => !(await keys()).includes('old-done'), 'the prune');
    expect(await keys()).toEqual(['old-failed', 'recent-done']);
    await waitFor(
      async () => (await rowsOf('reps')) >= 6 && (await rowsOf('contacts')) >= 30 && (await rowsOf('tags')) > 0,
      'the syncs',
    );
  });
});
