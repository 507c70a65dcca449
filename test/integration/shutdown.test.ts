import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDatabase } from '../support/app.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

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
    for (let i = 0; i < 200 && !stdout.includes('Emulator'); i++) await new Promise((r) => setTimeout(r, 100));
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
  }, 60_000);
});
