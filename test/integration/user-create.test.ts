import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { DEMO_CORP } from '../../server/emulator/index.js';
import { testDatabase } from '../support/app.js';
import { clientAddress } from '../support/console.js';

/**
 * `npm run user:create` as an operator runs it on a real deployment (WeCom credentials set, the server not started
 * yet): a child process on the environment `npm start` reads, then a sign-in through the console's real route.
 */

const CORP_ID = 'ww1436e0e65a779aee';
const CHINESE = /[\u4e00-\u9fff]/;

/** The environment of a real deployment, on a database of its own on the run's backend. */
function deploymentEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('WECOM_')) delete env[key];
  for (const key of [
    'ADMIN_TOKEN',
    'LOG_LEVEL',
    'DATABASE_PATH',
    'DATABASE_URL',
    'DATA_DIR',
    'SECRET_KEY',
    'PUBLIC_URL',
  ]) {
    delete env[key];
  }
  Object.assign(env, {
    WECOM_CORP_ID: CORP_ID,
    WECOM_AGENT_ID: '1000002',
    WECOM_SECRET: 'real-secret-value-0123456789',
    WECOM_TOKEN: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
    WECOM_ENCODING_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
    ADMIN_TOKEN: 'a-long-enough-admin-token',
  });
  const database = testDatabase();
  if (database.backend === 'sqlite') env.DATABASE_PATH = database.path;
  else {
    Object.assign(env, {
      DATABASE_URL: database.url,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'scrm-data-')),
      SECRET_KEY: randomBytes(32).toString('base64'),
    });
  }
  return env;
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node --import tsx scripts/user-create.ts …`, with `stdin` written to its standard input (then closed). */
async function userCreate(env: NodeJS.ProcessEnv, args: string[], stdin = ''): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/user-create.ts', ...args], {
    env,
    cwd: process.cwd(),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(stdin);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}

const printedPassword = (stdout: string) => /密码（只显示这一次，首次登录后需修改）：(\S+)/.exec(stdout)?.[1];

let env: NodeJS.ProcessEnv;
let app: App;

async function signIn(username: string, password: string) {
  return app.inject({
    method: 'POST',
    url: '/api/console/auth/login',
    headers: { origin: app.origin.public(), 'sec-fetch-site': 'same-origin' },
    remoteAddress: clientAddress(),
    payload: { username, password },
  });
}

/** Accounts and audit entries in the database: what a refused command must leave as it was. */
async function written() {
  const { consoleAccounts, auditLog } = app.db.t;
  const [accounts] = await app.db.select({ n: count() }).from(consoleAccounts);
  const [audit] = await app.db.select({ n: count() }).from(auditLog);
  return { accounts: Number(accounts!.n), audit: Number(audit!.n) };
}

beforeAll(async () => {
  env = deploymentEnv();
  // The first admin is made before the server ever started: the command applies the migrations and registers the
  // configured corp itself.
  const first = await userCreate(
    env,
    ['--username', 'Director', '--name', '王总监', '--password-stdin'],
    'Sales-lead-2026\n',
  );
  expect(first.code, first.stderr).toBe(0);
  expect(first.stdout).toContain('已创建本地账号「director」（王总监，管理员）');
  // A password given on stdin is never echoed.
  expect(first.stdout).not.toContain('Sales-lead-2026');

  app = await buildApp({ ...loadConfig(env, DEMO_CORP), logLevel: 'silent', backgroundJobs: false }, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  // The directory WeCom's sync would have written: a manager's departments must exist.
  await app.db.insert(app.db.t.departments).values([
    { corpId: CORP_ID, departmentId: 1, name: '总部', parentId: null },
    { corpId: CORP_ID, departmentId: 2, name: '华东销售部', parentId: 1 },
    { corpId: CORP_ID, departmentId: 3, name: '华南销售部', parentId: 1 },
  ]);
}, 120_000);

afterAll(async () => {
  await app?.close();
});

describe('npm run user:create', () => {
  it('creates the first admin: the stdin password signs in through the console route, the audit log names the command line', async () => {
    const res = await signIn('director', 'Sales-lead-2026');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      user: {
        kind: 'local',
        username: 'director',
        name: '王总监',
        role: 'admin',
        departments: [],
        mustChangePassword: false,
      },
      corp: { corpId: CORP_ID },
    });
    const { auditLog } = app.db.t;
    const entries = await app.db.select().from(auditLog).where(eq(auditLog.action, 'account.create'));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ corpId: CORP_ID, actorKind: 'system', targetType: 'account' });
    expect(entries[0]!.actorName).toContain('命令行');
    expect(JSON.stringify(entries[0])).not.toContain('Sales-lead-2026');
  });

  it('creates a manager of departments with a generated password, printed once, to be changed at the first sign-in', async () => {
    const made = await userCreate(env, [
      '--username',
      'east.lead',
      '--name',
      '李经理',
      '--role',
      'manager',
      '--departments',
      '2,3',
    ]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain('已创建本地账号「east.lead」（李经理，主管，负责 华东销售部、华南销售部）');
    const password = printedPassword(made.stdout);
    expect(password).toMatch(/^\S{10,}$/);

    const res = await signIn('east.lead', password!);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      user: {
        username: 'east.lead',
        role: 'manager',
        departments: [
          { id: 2, name: '华东销售部' },
          { id: 3, name: '华南销售部' },
        ],
        mustChangePassword: true,
      },
    });
  });

  it.each([
    [
      'a username taken (whatever its case)',
      ['--username', 'DIRECTOR', '--password-stdin'],
      'Another-pass-2026',
      /已被使用/,
    ],
    ['a weak password', ['--username', 'weakling', '--password-stdin'], 'short1', /密码至少 10 个字符/],
    [
      'an unknown department',
      ['--username', 'north.lead', '--role', 'manager', '--departments', '2,99'],
      '',
      /部门 99 不存在/,
    ],
    ['a manager without departments', ['--username', 'west.lead', '--role', 'manager'], '', /主管至少需要负责一个部门/],
    ['departments for an admin', ['--username', 'admin2', '--departments', '2'], '', /只用于主管/],
    ['an unknown role', ['--username', 'someone', '--role', 'boss'], '', /--role 只能是 admin 或 manager/],
    ['a malformed username', ['--username', '王 总'], '', /用户名应为 3 到 32 个字符/],
    ['an unknown option', ['--username', 'someone', '--admin'], '', /不认识的参数 --admin/],
    [
      'an empty stdin with --password-stdin',
      ['--username', 'someone', '--password-stdin'],
      '',
      /没有从标准输入读到密码/,
    ],
  ])('refuses %s: non-zero exit, one Chinese line, nothing written', async (_what, args, stdin, message) => {
    const before = await written();
    const res = await userCreate(env, args, stdin);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).toMatch(CHINESE);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stdout).toBe('');
    expect(await written()).toEqual(before);
  });

  it('--reset-password unlocks a locked-out admin: the new password signs in, the old one no longer does', async () => {
    const made = await userCreate(
      env,
      ['--username', 'duty.admin', '--name', '运维', '--password-stdin'],
      'Night-shift-2026\n',
    );
    expect(made.code, made.stderr).toBe(0);
    for (let i = 0; i < 5; i++) await signIn('duty.admin', `Wrong-guess-${i}0`);
    const locked = await signIn('duty.admin', 'Night-shift-2026');
    expect(locked.statusCode).toBe(423);

    const reset = await userCreate(
      env,
      ['--reset-password', '--username', 'DUTY.ADMIN', '--password-stdin'],
      'Day-shift-2026\n',
    );
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('已为账号「duty.admin」设置新密码并解除锁定');
    expect(reset.stdout).not.toContain('Day-shift-2026');

    const res = await signIn('duty.admin', 'Day-shift-2026');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ user: { username: 'duty.admin', mustChangePassword: false } });
    expect((await signIn('duty.admin', 'Night-shift-2026')).statusCode).toBe(401);
    const { auditLog } = app.db.t;
    const resets = await app.db.select().from(auditLog).where(eq(auditLog.action, 'account.password_reset'));
    expect(resets.map((r) => [r.actorKind, r.summary])).toEqual([['system', '重置账号「duty.admin」的密码']]);
  });

  it('--reset-password without a password prints a generated one, which must be changed at the next sign-in', async () => {
    const reset = await userCreate(env, ['--reset-password', '--username', 'director']);
    expect(reset.code, reset.stderr).toBe(0);
    const password = printedPassword(reset.stdout);
    const res = await signIn('director', password!);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ user: { username: 'director', mustChangePassword: true } });
  });

  it.each([
    ['an unknown username', ['--reset-password', '--username', 'nobody'], '', /本地账号「nobody」不存在/],
    [
      'a weak new password',
      ['--reset-password', '--username', 'duty.admin', '--password-stdin'],
      'abc',
      /密码至少 10 个字符/,
    ],
    ['other fields', ['--reset-password', '--username', 'duty.admin', '--role', 'manager'], '', /只设置密码/],
  ])('--reset-password refuses %s and changes nothing', async (_what, args, stdin, message) => {
    const before = await written();
    const res = await userCreate(env, args, stdin);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(message);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(await written()).toEqual(before);
    expect((await signIn('duty.admin', 'Day-shift-2026')).statusCode).toBe(200);
  });
});
