import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDatabase } from '../support/app.js';
import { freePort } from '../support/demo-process.js';

describe('npm start (demo mode) and SIGTERM', () => {
  it('starts the demo on the emulator, prints the URLs, and on SIGTERM finishes and closes the database', async () => {
    const port = await freePort();
    const database = testDatabase();
    const databasePath = database.backend === 'sqlite' ? database.path : null;
    const storage =
      database.backend === 'sqlite'
        ? { DATABASE_PATH: database.path }
        : { DATABASE_URL: database.url, DATA_DIR: mkdtempSync(join(tmpdir(), 'scrm-data-')) };
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { PATH: process.env.PATH, PORT: String(port), ...storage, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    const base = `http://127.0.0.1:${port}`;
    // Up to 90 s: the demo seeds 30 stories and their chats first (on PostgreSQL, on a loaded machine, over 20 s).
    for (let i = 0; i < 900 && !stdout.includes('Emulator'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(stdout).toContain(`${base}/sidebar/`);
    expect(stdout).toContain(`${base}/emulator/`);
    // The banner (one write) names the admin token.
    expect(stdout).toMatch(/Admin API +Authorization: Bearer \S{16,}/);

    const sim = await fetch(`${base}/emulator/_simulate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ changeType: 'add_external_contact', userId: 'zhangwei' }),
    });
    expect(sim.status).toBe(200);
    if (databasePath) expect(existsSync(`${databasePath}-wal`)).toBe(true);

    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
    // Closing a WAL database checkpoints it and removes the -wal file: the close really happened (SQLite).
    if (databasePath) expect(existsSync(`${databasePath}-wal`)).toBe(false);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  }, 150_000);
});

describe('npm start as a service manager runs it', () => {
  it("SIGTERM to npm's own PID stops the server (npm → node, no shell left holding it)", async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'scrm-npm-'));
    // The start script alone (`--ignore-scripts` skips prestart's build, which other tests cover).
    const npm = spawn('npm', ['run', 'start', '--ignore-scripts', '--silent'], {
      env: { PATH: process.env.PATH, PORT: String(port), DATABASE_PATH: join(dir, 'scrm.db'), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    npm.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const base = `http://127.0.0.1:${port}`;
    let up = false;
    for (let i = 0; i < 300 && !up; i++) {
      up = await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    expect(up, stderr).toBe(true);
    const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
    process.kill(npm.pid!, 'SIGTERM');
    await exited;
    // The server itself stopped: nothing listens on the port any more.
    for (let i = 0; i < 100; i++) {
      const still = await fetch(`${base}/healthz`).then(
        () => true,
        () => false,
      );
      if (!still) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  }, 60_000);
});
