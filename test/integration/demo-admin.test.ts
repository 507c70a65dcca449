import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/open.js';
import { DEMO_CORP } from '../../server/emulator/index.js';
import { demoEnv, freePort, newDeployment, type Deployment } from '../support/demo-process.js';

/**
 * The demo's console admin, as a first-time user meets it: `npm start` (server/main.ts) on one data folder, started
 * several times; the banner's username and password sign in through the running server's console route.
 */

const CHOSEN = 'Demo-chosen-2026';

/** POST /api/console/auth/login on the running server, from its own origin as the console's page does. */
function signIn(port: number, username: string, password: string): Promise<number> {
  const origin = `http://127.0.0.1:${port}`;
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = request(
      `${origin}/api/console/auth/login`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          origin,
          'sec-fetch-site': 'same-origin',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Starts server/main.ts, waits for the whole banner, runs `whileUp` against the running server, stops it with
 * SIGTERM. Returns the banner's sign-in line and the JSON log lines.
 */
async function startOnce(
  deployment: Deployment,
  adminPassword: string | undefined,
  whileUp: (port: number, banner: { username: string; password: string }) => Promise<void>,
): Promise<{ out: string; logLines: string[] }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: demoEnv(deployment, port, adminPassword === undefined ? {} : { DEMO_ADMIN_PASSWORD: adminPassword }),
    cwd: process.cwd(),
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 120_000;
  // The banner's last line.
  while (!/^ {2}Logs: /m.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`the demo did not start:\n${out}\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    const line = /^ {2}Sign-in +console (\S+) +username (\S+) +password (\S+)$/m.exec(out);
    expect(line, out).not.toBeNull();
    expect(line![1]).toBe(`http://127.0.0.1:${port}/console/`);
    await whileUp(port, { username: line![2]!, password: line![3]! });
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  return { out, logLines: out.split('\n').filter((l) => l.startsWith('{')) };
}

async function adminAccounts({ database }: Deployment) {
  const db = await openDatabase(database);
  try {
    const { consoleAccounts: a } = db.t;
    return await db
      .select({ username: a.username, role: a.role, kind: a.kind, mustChangePassword: a.mustChangePassword })
      .from(a)
      .where(and(eq(a.corpId, DEMO_CORP.corpId), eq(a.kind, 'local')));
  } finally {
    await db.close();
  }
}

describe('the demo console admin', () => {
  it('is created at the first start with DEMO_ADMIN_PASSWORD, follows a change of it, and keeps a generated password across restarts', async () => {
    const deployment = newDeployment();
    const passwordFile = join(deployment.dataDir, 'admin-password');

    // 1. DEMO_ADMIN_PASSWORD chooses the password: the account is created with it, nothing is kept on disk.
    const first = await startOnce(deployment, CHOSEN, async (port, banner) => {
      expect(banner).toEqual({ username: 'admin', password: CHOSEN });
      expect(await signIn(port, 'admin', CHOSEN)).toBe(200);
      expect(await signIn(port, 'admin', 'Something-else-2026')).toBe(401);
    });
    expect(existsSync(passwordFile)).toBe(false);
    expect(await adminAccounts(deployment)).toEqual([
      { username: 'admin', role: 'admin', kind: 'local', mustChangePassword: false },
    ]);

    // 2. Without it, a password is generated once and kept (mode 0600); the account's password follows.
    let generated = '';
    const second = await startOnce(deployment, undefined, async (port, banner) => {
      expect(banner.username).toBe('admin');
      expect(banner.password).not.toBe(CHOSEN);
      generated = banner.password;
      expect(await signIn(port, 'admin', generated)).toBe(200);
      expect(await signIn(port, 'admin', CHOSEN)).toBe(401);
    });
    expect(readFileSync(passwordFile, 'utf8').trim()).toBe(generated);
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);

    // 3. A restart keeps the generated password.
    const third = await startOnce(deployment, undefined, async (port, banner) => {
      expect(banner).toEqual({ username: 'admin', password: generated });
      expect(await signIn(port, 'admin', generated)).toBe(200);
    });
    expect(await adminAccounts(deployment)).toHaveLength(1);

    // The password is on the terminal (the banner), never in the JSON log.
    for (const { logLines } of [first, second, third]) {
      expect(logLines.length).toBeGreaterThan(0);
      for (const l of logLines) {
        expect(l).not.toContain(CHOSEN);
        expect(l).not.toContain(generated);
      }
    }
  }, 400_000);

  it('refuses a DEMO_ADMIN_PASSWORD that breaks the password rules, with one clear line, before starting', async () => {
    const deployment = newDeployment();
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: demoEnv(deployment, await freePort(), { DEMO_ADMIN_PASSWORD: 'admin12345' }),
      cwd: process.cwd(),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(err).toMatch(/DEMO_ADMIN_PASSWORD is not accepted: 密码不能包含用户名/);
    expect(out).not.toContain('demo is running');
  }, 60_000);
});
