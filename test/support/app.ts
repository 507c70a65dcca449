export { tableCounts, tempDatabasePath, testBackend, testDatabase } from './database.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildApp, type App } from '../../server/app.js';
import { loadConfig, type Config, type DatabaseConfig, type WorkerConfig } from '../../server/config.js';
import { tableCounts, testDatabase } from './database.js';
import { DEMO_CORP } from '../../server/emulator/index.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** Demo configuration (the emulator plays WeCom) with a fast worker and no cron. */
export function testConfig(overrides: { database?: DatabaseConfig; worker?: Partial<WorkerConfig> } = {}): Config {
  const base = loadConfig({ ADMIN_TOKEN }, DEMO_CORP);
  const database = overrides.database ?? testDatabase();
  return {
    ...base,
    database,
    dataDir: database.backend === 'sqlite' ? dirname(database.path) : mkdtempSync(join(tmpdir(), 'scrm-data-')),
    logLevel: 'silent',
    backgroundJobs: false,
    // Figures are asserted right after the writes that change them.
    dashboardLiveMs: 0,
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

/** Row counts of every table of the app's database (test/support/database.ts). */
export function appTableCounts(app: App): Promise<Record<string, number>> {
  return tableCounts(app.db);
}
