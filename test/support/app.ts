import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../../server/app.js';
import { loadConfig, type Config, type WorkerConfig } from '../../server/config.js';
import { DEMO_CORP } from '../../server/emulator/index.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A fresh data directory per test file: a real SQLite file, as in production. */
export function tempDatabasePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'scrm-test-')), 'scrm.db');
}

/** Demo configuration (the emulator plays WeCom) with a fast worker and no cron. */
export function testConfig(overrides: { databasePath?: string; worker?: Partial<WorkerConfig> } = {}): Config {
  const base = loadConfig({ ADMIN_TOKEN }, DEMO_CORP);
  return {
    ...base,
    databasePath: overrides.databasePath ?? tempDatabasePath(),
    logLevel: 'silent',
    backgroundJobs: false,
    worker: { ...base.worker, concurrency: 8, pollMs: 50, backoffBaseMs: 20, maxAttempts: 5, ...overrides.worker },
  };
}

/** Builds the real app and listens on a free loopback port, so the emulator can call back over HTTP. */
export async function startApp(config: Config = testConfig()): Promise<App> {
  const app = await buildApp(config, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Row counts of every table: "the database is unchanged" means this snapshot is equal. */
export function tableCounts(app: App): Record<string, number> {
  const sqlite = app.db.$client;
  const tables = sqlite
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'`,
    )
    .all() as { name: string }[];
  return Object.fromEntries(
    tables.map((t) => [t.name, (sqlite.prepare(`SELECT count(*) AS n FROM "${t.name}"`).get() as { n: number }).n]),
  );
}
