import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { DEMO_CORP } from '../../server/emulator/index.js';
import { testDatabase } from '../support/app.js';

let app: App;
afterEach(async () => app?.close());

describe('with real credentials', () => {
  it('does not mount the emulator, serves health, and keeps secrets out of the database in clear', async () => {
    const env = {
      WECOM_CORP_ID: 'ww1436e0e65a779aee',
      WECOM_AGENT_ID: '1000002',
      WECOM_SECRET: 'real-secret-value-0123456789',
      WECOM_TOKEN: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
      WECOM_ENCODING_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
      ADMIN_TOKEN: 'a-long-enough-admin-token',
    };
    const database = testDatabase();
    const storage =
      database.backend === 'sqlite'
        ? { DATABASE_PATH: database.path }
        : {
            DATABASE_URL: database.url,
            DATA_DIR: mkdtempSync(join(tmpdir(), 'scrm-data-')),
            // Required with PostgreSQL outside the demo: every instance opens the same sealed secrets.
            SECRET_KEY: randomBytes(32).toString('base64'),
          };
    const config = { ...loadConfig({ ...env, ...storage }, DEMO_CORP), logLevel: 'silent', backgroundJobs: false };
    app = await buildApp(config, { logger: false });

    for (const url of ['/emulator/_state', '/emulator/cgi-bin/gettoken?corpid=x&corpsecret=y', '/emulator/_calls']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
    }
    const sim = await app.inject({ method: 'POST', url: '/emulator/_simulate', payload: {} });
    expect(sim.statusCode).toBe(404);
    expect(app.emulator).toBeUndefined();

    const health = await app.inject({ url: '/healthz' });
    expect(health.json()).toEqual({ status: 'ok' });

    const rows = await app.db.select().from(app.db.t.corps);
    expect(rows).toHaveLength(1);
    const dump = JSON.stringify(rows[0]);
    expect(dump).not.toContain(env.WECOM_SECRET);
    expect(dump).not.toContain(env.WECOM_TOKEN);
    expect(dump).not.toContain(env.WECOM_ENCODING_AES_KEY);
    expect(app.corps.find(env.WECOM_CORP_ID)?.secret).toBe(env.WECOM_SECRET);
  });
});
