import { asc } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../server/db/database.js';
import { openDatabase } from '../../../server/db/open.js';
import type { QueueStatus } from '../../../server/db/schema/queue.js';
import { createEventRepo } from '../../../server/modules/events/repo.js';
import { createJobRepo } from '../../../server/modules/jobs/repo.js';
import { createRetentionService } from '../../../server/modules/retention/service.js';
import type { WecomEvent } from '../../../server/wecom/events.js';
import { testDatabase } from '../../support/database.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 25, 3, 45);

const opened: Database[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

async function setup() {
  const db = await openDatabase(testDatabase());
  opened.push(db);
  const { corps, events, jobs } = db.t;
  await db.insert(corps).values({
    corpId: 'ww1',
    name: 'c',
    agentId: 1,
    secretSealed: 's',
    tokenSealed: 't',
    encodingAesKeySealed: 'k',
  });
  const ages = { old: NOW - 31 * DAY, recent: NOW - 29 * DAY };
  const eventStatuses: QueueStatus[] = ['done', 'ignored', 'failed', 'pending', 'running'];
  for (const status of eventStatuses) {
    for (const [age, at] of Object.entries(ages)) {
      for (let i = 0; i < 3; i++) {
        await db.insert(events).values({
          corpId: 'ww1',
          idempotencyKey: `${status}-${age}-${i}`,
          eventType: 'change_external_contact/add_external_contact',
          rawXml: '<xml/>',
          payload: {} as WecomEvent,
          status,
          nextAttemptAt: at,
          receivedAt: at,
        });
      }
    }
  }
  const jobStatuses: QueueStatus[] = ['done', 'failed', 'pending', 'running'];
  for (const status of jobStatuses) {
    for (const [age, at] of Object.entries(ages)) {
      for (let i = 0; i < 3; i++) {
        await db.insert(jobs).values({
          corpId: 'ww1',
          kind: 'mark_tag',
          dedupeKey: `${status}-${age}-${i}`,
          payload: {},
          status,
          runAt: at,
        });
      }
    }
  }
  const retention = createRetentionService({
    db,
    events: createEventRepo(db),
    jobs: createJobRepo(db),
    retentionDays: 30,
    now: () => NOW,
    batchSize: 2,
  });
  const keys = async (table: 'events' | 'jobs') =>
    table === 'events'
      ? (await db.select({ k: events.idempotencyKey }).from(events).orderBy(asc(events.id))).map((r) => r.k)
      : (await db.select({ k: jobs.dedupeKey }).from(jobs).orderBy(asc(jobs.id))).map((r) => r.k);
  return { retention, keys };
}

describe('retention', () => {
  it('deletes handled events and done jobs past RETENTION_DAYS, in batches, and keeps everything else', async () => {
    const { retention, keys } = await setup();
    const eventsBefore = await keys('events');
    const jobsBefore = await keys('jobs');
    const result = await retention.prune();
    expect(result).toEqual({ before: new Date(NOW - 30 * DAY).toISOString(), events: 6, jobs: 3 });
    const gone = (k: string) => /^(done|ignored)-old-/.test(k);
    expect(await keys('events')).toEqual(eventsBefore.filter((k) => !gone(k)));
    expect(await keys('jobs')).toEqual(jobsBefore.filter((k) => !k.startsWith('done-old-')));
  });

  it('a second run deletes nothing', async () => {
    const { retention, keys } = await setup();
    await retention.prune();
    const after = [await keys('events'), await keys('jobs')];
    expect(await retention.prune()).toMatchObject({ events: 0, jobs: 0 });
    expect([await keys('events'), await keys('jobs')]).toEqual(after);
  });
});
