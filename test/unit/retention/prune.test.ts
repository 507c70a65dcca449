import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/db/open.js';
import { createEventRepo } from '../../../server/modules/events/repo.js';
import { createJobRepo } from '../../../server/modules/jobs/repo.js';
import { createRetentionService } from '../../../server/modules/retention/service.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 25, 3, 45);

function setup() {
  const db = openDatabase(':memory:');
  db.$client
    .prepare(
      `INSERT INTO corps (corp_id, name, agent_id, secret_sealed, token_sealed, encoding_aes_key_sealed)
       VALUES ('ww1', 'c', 1, 's', 't', 'k')`,
    )
    .run();
  const event = db.$client.prepare(
    `INSERT INTO events (corp_id, idempotency_key, event_type, raw_xml, payload, status, next_attempt_at, received_at)
     VALUES ('ww1', ?, 'change_external_contact/add_external_contact', '<xml/>', '{}', ?, ?, ?)`,
  );
  const job = db.$client.prepare(
    `INSERT INTO jobs (corp_id, kind, dedupe_key, payload, status, run_at) VALUES ('ww1', 'mark_tag', ?, '{}', ?, ?)`,
  );
  const ages = { old: NOW - 31 * DAY, recent: NOW - 29 * DAY };
  for (const status of ['done', 'ignored', 'failed', 'pending', 'processing']) {
    for (const [age, at] of Object.entries(ages)) {
      for (let i = 0; i < 3; i++) event.run(`${status}-${age}-${i}`, status, at, at);
    }
  }
  for (const status of ['done', 'failed', 'pending', 'running']) {
    for (const [age, at] of Object.entries(ages)) {
      for (let i = 0; i < 3; i++) job.run(`${status}-${age}-${i}`, status, at);
    }
  }
  const retention = createRetentionService({
    events: createEventRepo(db),
    jobs: createJobRepo(db),
    retentionDays: 30,
    now: () => NOW,
    batchSize: 2,
  });
  const keys = (table: 'events' | 'jobs') =>
    (
      db.$client
        .prepare(`SELECT ${table === 'events' ? 'idempotency_key' : 'dedupe_key'} AS k FROM ${table} ORDER BY id`)
        .all() as { k: string }[]
    ).map((r) => r.k);
  return { retention, keys };
}

describe('retention', () => {
  it('deletes handled events and done jobs past RETENTION_DAYS, in batches, and keeps everything else', async () => {
    const { retention, keys } = setup();
    const eventsBefore = keys('events');
    const jobsBefore = keys('jobs');
    const result = await retention.prune();
    expect(result).toEqual({ before: new Date(NOW - 30 * DAY).toISOString(), events: 6, jobs: 3 });
    const gone = (k: string) => /^(done|ignored)-old-/.test(k);
    expect(keys('events')).toEqual(eventsBefore.filter((k) => !gone(k)));
    expect(keys('jobs')).toEqual(jobsBefore.filter((k) => !k.startsWith('done-old-')));
  });

  it('a second run deletes nothing', async () => {
    const { retention, keys } = setup();
    await retention.prune();
    const after = [keys('events'), keys('jobs')];
    expect(await retention.prune()).toMatchObject({ events: 0, jobs: 0 });
    expect([keys('events'), keys('jobs')]).toEqual(after);
  });
});
