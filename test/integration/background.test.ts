import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { startBackground } from '../../server/jobs/schedule.js';
import { startApp, testConfig, waitFor } from '../support/app.js';
import { CORP } from '../support/scrm.js';

let app: App | undefined;
let background: { stop(): void } | undefined;
afterEach(async () => {
  background?.stop();
  await app?.close();
  app = undefined;
  background = undefined;
});

const DAY = 86_400_000;

describe('background jobs at boot', () => {
  it('run once each: the directory, contacts and tags get mirrored and old handled work is pruned', async () => {
    app = await startApp(testConfig());
    const sqlite = app.db.$client;
    const event = sqlite.prepare(
      `INSERT INTO events (corp_id, idempotency_key, event_type, raw_xml, payload, status, next_attempt_at, received_at)
       VALUES (?, ?, 'change_external_contact/add_external_contact', '<xml/>', '{}', ?, ?, ?)`,
    );
    const old = Date.now() - 40 * DAY;
    event.run(CORP, 'old-done', 'done', old, old);
    event.run(CORP, 'old-failed', 'failed', old, old);
    event.run(CORP, 'recent-done', 'done', Date.now(), Date.now());
    const count = (table: string) => (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(count('reps')).toBe(0);

    background = startBackground(app);
    const keys = () =>
      (sqlite.prepare('SELECT idempotency_key AS k FROM events ORDER BY id').all() as { k: string }[]).map((r) => r.k);
    await waitFor(() => !keys().includes('old-done'), 'the prune');
    expect(keys()).toEqual(['old-failed', 'recent-done']);
    await waitFor(() => count('reps') >= 6 && count('contacts') >= 30 && count('tags') > 0, 'the syncs');
  });
});
