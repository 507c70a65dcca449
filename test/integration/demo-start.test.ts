import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DEMO_PERSONAS } from '../../server/demo/personas.js';
import { DEMO_SCRIPT_LIBRARY } from '../../server/demo/script-library.js';
import { tempDatabasePath } from '../support/app.js';

/**
 * `npm start` in demo mode, as a first-time user runs it (twice, on the same data folder): the banner, the demo
 * data, and what a second start adds to it (nothing).
 */

const BANNER = 'wecom-scrm demo is running';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts server/main.ts, waits for the banner and the log line after it, stops it with SIGTERM: its stdout. */
async function startOnce(databasePath: string): Promise<string> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: databasePath };
  for (const key of Object.keys(env)) if (key.startsWith('WECOM_')) delete env[key];
  delete env.ADMIN_TOKEN;
  delete env.LOG_LEVEL;
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
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  return out;
}

function counts(databasePath: string): Record<string, number> {
  const db = new Database(databasePath, { readonly: true });
  try {
    const tables = db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'`,
      )
      .all() as { name: string }[];
    return Object.fromEntries(
      tables.map((t) => [t.name, (db.prepare(`SELECT count(*) AS n FROM "${t.name}"`).get() as { n: number }).n]),
    );
  } finally {
    db.close();
  }
}

function emulatorState(databasePath: string) {
  const state = JSON.parse(readFileSync(join(dirname(databasePath), 'emulator-state.json'), 'utf8')) as {
    customers: unknown[];
    contactWays: { remark: string }[];
    tags: unknown[];
  };
  return { customers: state.customers.length, contactWays: state.contactWays.map((w) => w.remark).sort() };
}

describe('npm start in demo mode', () => {
  it('prints the banner after the start-up lines, seeds once, and a second start adds nothing', async () => {
    const databasePath = tempDatabasePath();

    const first = await startOnce(databasePath);
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

    const afterFirst = counts(databasePath);
    expect(afterFirst.channels).toBe(4);
    expect(afterFirst.contacts).toBe(DEMO_PERSONAS.length);
    // Every demo customer has a history.
    const db = new Database(databasePath, { readonly: true });
    const empty = db
      .prepare(
        `SELECT count(*) AS n FROM contacts c WHERE NOT EXISTS (SELECT 1 FROM timeline_items t WHERE t.external_user_id = c.external_user_id)`,
      )
      .get() as { n: number };
    db.close();
    expect(empty.n).toBe(0);
    const wecomFirst = emulatorState(databasePath);
    expect(wecomFirst.contactWays).toEqual(['官网落地页', '快递包裹卡', '直播间福利码', '门店海报'].sort());

    const second = await startOnce(databasePath);
    expect(second).toContain('Demo data: already in the database, nothing added');
    expect(counts(databasePath)).toEqual(afterFirst);
    expect(emulatorState(databasePath)).toEqual(wecomFirst);
  }, 240_000);
});
