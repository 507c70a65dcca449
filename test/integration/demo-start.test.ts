import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, count, eq, like, notExists } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../server/config.js';
import { openDatabase } from '../../server/db/open.js';
import { DEMO_PERSONAS } from '../../server/demo/personas.js';
import { DEMO_SCRIPT_LIBRARY } from '../../server/demo/script-library.js';
import { tableCounts } from '../support/app.js';
import { queuesSettled } from '../support/queues.js';
import { demoEnv, freePort, newDeployment, type Deployment } from '../support/demo-process.js';

/**
 * `npm start` in demo mode, as a first-time user runs it (twice, on the same data folder): the banner, the demo
 * data, and what a second start adds to it (nothing).
 */

const BANNER = 'wecom-scrm demo is running';

/** Starts server/main.ts, waits for the banner and the log line after it, stops it with SIGTERM: its stdout. */
async function startOnce(deployment: Deployment): Promise<string> {
  const { database } = deployment;
  const port = await freePort();
  const env = demoEnv(deployment, port);
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, cwd: process.cwd() });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 90_000;
  while (!/"msg":"demo data seeded"/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`the demo did not start:\n${out}\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // What the seed handed to the worker (the demo chats pulled from the archive, their media, the day's figures) is
  // finished before the stop, so a second start is compared with a settled first one. The demo's chats are stored
  // after the start's rollups, so their days are rolled up again once the storing minute is over (up to a minute on).
  await waitIdle(database, Date.now() + 150_000);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  return out;
}

/** Waits until no event or due job is pending or running (read from beside the running server). */
async function waitIdle(database: DatabaseConfig, deadline: number): Promise<void> {
  const db = await openDatabase(database);
  try {
    // Due work only: reminders and follow-ups the demo schedules for later days stay pending by design. The days
    // rolled up again for late-stored messages are waited for.
    await queuesSettled(db, Math.max(0, deadline - Date.now()), { dueOnly: true, anyTime: ['console_rollup'] });
  } finally {
    await db.close();
  }
}

/** Row counts of every table, and how many contacts have no timeline item, read while the server is stopped. */
async function inspect({ database }: Deployment): Promise<{ counts: Record<string, number>; withoutHistory: number }> {
  const db = await openDatabase(database);
  try {
    const { contacts, timelineItems: t } = db.t;
    const [empty] = await db
      .select({ n: count() })
      .from(contacts)
      .where(
        notExists(
          db
            .select({ one: t.id })
            .from(t)
            .where(and(eq(t.corpId, contacts.corpId), eq(t.externalUserId, contacts.externalUserId))),
        ),
      );
    // What the scheduler's per-minute work writes grows with the time a start lasts, not with seeding: the jobs (the
    // archive pull, the automations' ticks), and what a tick of the automations switched on by the demo makes of the
    // demo's chats (run logs, reply turns, notifications, the rules' tasks) — a second start in a new minute ticks
    // again. The demo's own tasks (keyed demo:…) are counted apart.
    const {
      jobs: _jobs,
      automation_runs: _runs,
      reply_turns: _turns,
      notifications: _notifications,
      tasks: _tasks,
      ...counts
    } = await tableCounts(db);
    const [seededTasks] = await db.select({ n: count() }).from(db.t.tasks).where(like(db.t.tasks.sourceKey, 'demo:%'));
    return { counts: { ...counts, seededTasks: Number(seededTasks!.n) }, withoutHistory: Number(empty!.n) };
  } finally {
    await db.close();
  }
}

function emulatorState({ dataDir }: Deployment) {
  const state = JSON.parse(readFileSync(join(dataDir, 'emulator-state.json'), 'utf8')) as {
    customers: unknown[];
    contactWays: { remark: string }[];
    tags: unknown[];
  };
  return { customers: state.customers.length, contactWays: state.contactWays.map((w) => w.remark).sort() };
}

describe('npm start in demo mode', () => {
  it('prints the banner after the start-up lines, seeds once, and a second start adds nothing', async () => {
    const deployment = newDeployment();

    const first = await startOnce(deployment);
    const lines = first.split('\n');
    const bannerAt = lines.findIndex((l) => l.includes(BANNER));
    expect(bannerAt).toBeGreaterThan(0);
    // The banner is one block of plain text: no JSON line inside it, the URLs and the token in it.
    const blockEnd = lines.findIndex((l, i) => i > bannerAt && l.startsWith('{'));
    const banner = lines.slice(bannerAt, blockEnd).join('\n');
    expect(banner).toMatch(/Sidebar +http:\/\/127\.0\.0\.1:\d+\/sidebar\//);
    expect(banner).toMatch(/Emulator +http:\/\/127\.0\.0\.1:\d+\/emulator\//);
    expect(banner).toMatch(/Admin API +Authorization: Bearer \S{16,}/);
    const scripts = DEMO_SCRIPT_LIBRARY.reduce((n, g) => n + g.scripts.length, 0);
    expect(banner).toContain(
      `Demo data written now: 4 channel codes, ${scripts} scripts, ${DEMO_PERSONAS.length} customer stories.`,
    );
    // It comes after the server listens; the emulator's own requests are not logged at info.
    expect(lines.slice(0, bannerAt).some((l) => l.includes('Server listening at'))).toBe(true);
    const json = lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; req?: { url: string } });
    expect(json.filter((l) => l.level >= 30 && l.req?.url.startsWith('/emulator'))).toEqual([]);
    expect(json.length).toBeLessThan(30);

    const { counts: afterFirst, withoutHistory } = await inspect(deployment);
    expect(afterFirst.channels).toBe(4);
    expect(afterFirst.contacts).toBe(DEMO_PERSONAS.length);
    expect(afterFirst.seededTasks).toBeGreaterThan(0);
    // Every demo customer has a history.
    expect(withoutHistory).toBe(0);
    const wecomFirst = emulatorState(deployment);
    expect(wecomFirst.contactWays).toEqual(['官网落地页', '快递包裹卡', '直播间福利码', '门店海报'].sort());

    const second = await startOnce(deployment);
    expect(second).toContain('Demo data: already in the database, nothing added');
    expect((await inspect(deployment)).counts).toEqual(afterFirst);
    expect(emulatorState(deployment)).toEqual(wecomFirst);
  }, 480_000);
});
