import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';
import { DEMO_CORP } from '../../server/emulator/index.js';

const real = {
  WECOM_CORP_ID: 'ww1436e0e65a779aee',
  WECOM_AGENT_ID: '1000002',
  WECOM_SECRET: 'real-secret-value',
  WECOM_TOKEN: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  WECOM_ENCODING_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  ADMIN_TOKEN: 'a-long-enough-admin-token',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, DEMO_CORP);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('config', () => {
  it('runs demo mode with defaults when WECOM_CORP_ID is unset', () => {
    const config = loadConfig({}, DEMO_CORP);
    expect(config).toMatchObject({ demo: true, emulator: true, port: 3000, host: '127.0.0.1' });
    expect(config.database).toEqual({ backend: 'sqlite', path: './data/scrm.db' });
    expect(config.dataDir).toBe(resolve('./data'));
    expect(config.worker.leaseMs).toBe(30_000);
    expect(config.wecom.corpId).toBe(DEMO_CORP.corpId);
    expect(config.wecom.apiBase).toBeNull();
    expect(config.adminToken.length).toBeGreaterThanOrEqual(16);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.wecom)).toBe(true);
  });

  it('takes a real corp and never mounts the emulator for it', () => {
    const config = loadConfig({ ...real, PORT: '8080', PUBLIC_URL: 'https://scrm.example.com/' }, DEMO_CORP);
    expect(config).toMatchObject({ demo: false, emulator: false, port: 8080, publicUrl: 'https://scrm.example.com' });
    expect(config.wecom).toMatchObject({
      corpId: real.WECOM_CORP_ID,
      agentId: 1000002,
      apiBase: 'https://qyapi.weixin.qq.com',
      oauthBase: 'https://open.weixin.qq.com',
    });
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({
      WECOM_CORP_ID: 'ww1436e0e65a779aee',
      WECOM_AGENT_ID: 'abc',
      WECOM_ENCODING_AES_KEY: 'tooShort',
      PORT: '99999',
      WECOM_API_BASE: 'ftp://nope',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('PORT must be an integer'),
        expect.stringContaining('WECOM_API_BASE must be an absolute http(s) URL'),
        'WECOM_SECRET is required when WECOM_CORP_ID is set',
        'WECOM_TOKEN is required when WECOM_CORP_ID is set',
        expect.stringContaining('WECOM_AGENT_ID must be a positive integer'),
        expect.stringMatching(/^WECOM_ENCODING_AES_KEY .*43 characters/),
        expect.stringContaining('ADMIN_TOKEN is required'),
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it('trusts no proxy by default, and TRUST_PROXY when it is valid', () => {
    expect(loadConfig({}, DEMO_CORP).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }, DEMO_CORP).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 172.16.0.0/12' }, DEMO_CORP).trustProxy).toBe(
      '10.0.0.1, 172.16.0.0/12',
    );
    expect(problemsOf({ TRUST_PROXY: 'everyone' })).toEqual([
      'TRUST_PROXY must be true, false or a comma-separated list of addresses/CIDRs (got "everyone")',
    ]);
  });

  it('keeps handled work 30 days unless RETENTION_DAYS says otherwise, and refuses a nonsense value', () => {
    expect(loadConfig({}, DEMO_CORP).retentionDays).toBe(30);
    expect(loadConfig({ RETENTION_DAYS: '90' }, DEMO_CORP).retentionDays).toBe(90);
    for (const bad of ['0', '-1', '1.5', 'forever', '3651']) {
      expect(problemsOf({ RETENTION_DAYS: bad })).toEqual([
        `RETENTION_DAYS must be a whole number of days between 1 and 3650 (got "${bad}")`,
      ]);
    }
  });

  it('shares today’s dashboard figures for 30 s unless DASHBOARD_LIVE_SECONDS says otherwise (0: never)', () => {
    expect(loadConfig({}, DEMO_CORP).dashboardLiveMs).toBe(30_000);
    expect(loadConfig({ DASHBOARD_LIVE_SECONDS: '0' }, DEMO_CORP).dashboardLiveMs).toBe(0);
    expect(loadConfig({ DASHBOARD_LIVE_SECONDS: '120' }, DEMO_CORP).dashboardLiveMs).toBe(120_000);
    for (const bad of ['-1', '2.5', 'often', '601']) {
      expect(problemsOf({ DASHBOARD_LIVE_SECONDS: bad })).toEqual([
        `DASHBOARD_LIVE_SECONDS must be a whole number of seconds between 0 and 600 (got "${bad}")`,
      ]);
    }
  });

  it('counts days in Asia/Shanghai unless CORP_TIME_ZONE names another IANA zone', () => {
    expect(loadConfig({}, DEMO_CORP).timeZone).toBe('Asia/Shanghai');
    expect(loadConfig({ CORP_TIME_ZONE: 'America/New_York' }, DEMO_CORP).timeZone).toBe('America/New_York');
    // Spelled loosely, kept as the zone's canonical name.
    expect(loadConfig({ CORP_TIME_ZONE: ' asia/tokyo ' }, DEMO_CORP).timeZone).toBe('Asia/Tokyo');
    expect(loadConfig({ CORP_TIME_ZONE: 'UTC' }, DEMO_CORP).timeZone).toBe('UTC');
    for (const bad of ['Mars/Olympus_Mons', 'CST', '+08:00', 'Beijing', 'Asia/Shanghai; rm -rf']) {
      expect(problemsOf({ CORP_TIME_ZONE: bad })).toEqual([
        `CORP_TIME_ZONE must be an IANA time zone name such as Asia/Shanghai (got "${bad}")`,
      ]);
    }
  });

  it('keeps SQLite at DATABASE_PATH with its files beside it, or PostgreSQL at DATABASE_URL with files in DATA_DIR', () => {
    const sqlite = loadConfig({ DATABASE_PATH: '/var/lib/scrm/main.db', DATA_DIR: '/elsewhere' }, DEMO_CORP);
    expect(sqlite.database).toEqual({ backend: 'sqlite', path: '/var/lib/scrm/main.db' });
    expect(sqlite.dataDir).toBe('/var/lib/scrm');

    const url = 'postgres://scrm:pw@db.internal:5432/scrm';
    const key = Buffer.alloc(32, 7).toString('base64');
    const pg = loadConfig({ ...real, DATABASE_URL: url, SECRET_KEY: key, DATA_DIR: '/srv/scrm' }, DEMO_CORP);
    expect(pg.database).toEqual({ backend: 'postgres', url });
    expect(pg.dataDir).toBe('/srv/scrm');
    expect(pg.secretKey).toBe(key);
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/scrm' }, DEMO_CORP)).toMatchObject({
      database: { backend: 'postgres', url: 'postgresql://localhost/scrm' },
      dataDir: resolve('./data'),
    });
  });

  it('refuses a DATABASE_URL that is not PostgreSQL, and both DATABASE_URL and DATABASE_PATH', () => {
    for (const bad of ['mysql://scrm:pw@db/scrm', 'localhost:5432/scrm', 'sqlite:./data/scrm.db', 'postgres:/db']) {
      expect(problemsOf({ DATABASE_URL: bad })).toEqual([
        'DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/database)',
      ]);
    }
    expect(problemsOf({ DATABASE_URL: 'postgres://localhost/scrm', DATABASE_PATH: './data/scrm.db' })).toEqual([
      'set DATABASE_URL or DATABASE_PATH, not both',
    ]);
  });

  it('requires SECRET_KEY with PostgreSQL outside the demo: every instance must open the same sealed secrets', () => {
    const env = { ...real, DATABASE_URL: 'postgres://scrm:pw@db.internal/scrm' };
    expect(problemsOf(env)).toEqual([
      'SECRET_KEY is required with DATABASE_URL: every instance must open the same sealed secrets',
    ]);
    expect(problemsOf({ ...env, SECRET_KEY: 'too-short' })).toEqual([
      'SECRET_KEY must be 32 bytes encoded as base64 (openssl rand -base64 32)',
    ]);
    // SQLite keeps its key file beside the database; the demo on PostgreSQL keeps one in DATA_DIR.
    expect(problemsOf(real)).toEqual([]);
    expect(problemsOf({ DATABASE_URL: 'postgres://localhost/scrm' })).toEqual([]);
  });

  it('leases claimed work for WORKER_LEASE_MS (default 30 s) and refuses a lease outside 1 s to 10 min', () => {
    expect(loadConfig({ WORKER_LEASE_MS: '5000' }, DEMO_CORP).worker.leaseMs).toBe(5000);
    for (const bad of ['999', '600001', '1.5', 'soon', '-1000']) {
      expect(problemsOf({ WORKER_LEASE_MS: bad })).toEqual([
        `WORKER_LEASE_MS must be a whole number of milliseconds between 1000 and 600000 (got "${bad}")`,
      ]);
    }
  });

  it('refuses credentials without a corp id instead of silently running the demo', () => {
    expect(problemsOf({ WECOM_SECRET: 'x' })).toEqual([
      'WECOM_SECRET is set but WECOM_CORP_ID is not (set WECOM_CORP_ID, or unset WECOM_SECRET for demo mode)',
    ]);
  });

  it('the server exits with code 1 and the list of problems on a bad environment', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { PATH: process.env.PATH, WECOM_CORP_ID: 'ww1436e0e65a779aee', WECOM_ENCODING_AES_KEY: 'short' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('WECOM_ENCODING_AES_KEY');
    expect(result.stderr).toContain('WECOM_TOKEN is required when WECOM_CORP_ID is set');
  });

  it('the server refuses to start on PostgreSQL in production mode without SECRET_KEY, before connecting', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      // Port 9 (discard): were the database opened, it would fail with a connection error instead.
      env: { PATH: process.env.PATH, ...real, DATABASE_URL: 'postgres://scrm:pw@127.0.0.1:9/scrm' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('SECRET_KEY is required with DATABASE_URL');
  });

  it('the server refuses to start with a time zone that is not an IANA zone', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { PATH: process.env.PATH, CORP_TIME_ZONE: 'Asia/Beijing' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'CORP_TIME_ZONE must be an IANA time zone name such as Asia/Shanghai (got "Asia/Beijing")',
    );
  });
});
