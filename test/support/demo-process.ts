import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DatabaseConfig } from '../../server/config.js';
import { testDatabase } from './database.js';

/** For tests that start the real server (server/main.ts) in a process of its own. */

export { freePort } from '../../scripts/free-port.js';

/** The data folder and database of a deployment, on the run's backend. */
export interface Deployment {
  database: DatabaseConfig;
  dataDir: string;
}

export function newDeployment(): Deployment {
  const database = testDatabase();
  const dataDir = database.backend === 'sqlite' ? dirname(database.path) : mkdtempSync(join(tmpdir(), 'scrm-data-'));
  return { database, dataDir };
}

/**
 * The environment of `npm start` in demo mode for a deployment on `port`: this process's own, without anything that
 * would configure a real corp or another database, plus `extra`.
 */
export function demoEnv(
  { database, dataDir }: Deployment,
  port: number,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1' };
  for (const key of Object.keys(env)) if (key.startsWith('WECOM_')) delete env[key];
  for (const key of ['ADMIN_TOKEN', 'LOG_LEVEL', 'DATABASE_PATH', 'DATABASE_URL', 'DATA_DIR', 'DEMO_ADMIN_PASSWORD']) {
    delete env[key];
  }
  if (database.backend === 'sqlite') env.DATABASE_PATH = database.path;
  else Object.assign(env, { DATABASE_URL: database.url, DATA_DIR: dataDir });
  return { ...env, ...extra };
}
