import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../server/db/open.js';
import { DEMO_CORP } from '../../server/emulator/index.js';
import { freePort } from './demo-process.js';

/**
 * Several server instances on one PostgreSQL database, in processes of their own, with WeCom (the emulator) in
 * another process delivering each callback to the next instance in turn, as a load balancer would. Every instance
 * runs in real-corp mode against the emulator, as in production.
 */
export const INSTANCE_ADMIN_TOKEN = 'instances-admin-token-0123456789';
/** One at-rest key for every instance: they open the same sealed secrets. */
const SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

export interface Instance {
  url: string;
  process: ChildProcess;
  /** The server's stderr and stdout, for a failure message. */
  output(): string;
}

export interface Instances {
  emulator: string;
  servers: Instance[];
  /** Kills one instance with SIGKILL (no shutdown of any kind) and waits for it to be gone. */
  kill(index: number): Promise<void>;
  /** Starts a killed instance again, on its port and database, and waits until it serves. */
  restart(index: number): Promise<void>;
  stop(): Promise<void>;
}

function run(script: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output(): string } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => text };
}

async function until(probe: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startInstances(options: {
  count: number;
  /** A PostgreSQL URL, or a SQLite file (one instance: SQLite is one process). */
  databaseUrl?: string;
  databasePath?: string;
  leaseMs?: number;
}): Promise<Instances> {
  const ports = await Promise.all(Array.from({ length: options.count }, freePort));
  const urls = ports.map((p) => `http://127.0.0.1:${p}`);
  const emulatorPort = await freePort();
  const emulatorOrigin = `http://127.0.0.1:${emulatorPort}`;
  const emulator = run('scripts/emulator.ts', ['--port', String(emulatorPort), '--callback', urls.join(',')], {});
  await until(async () => (await fetch(`${emulatorOrigin}/emulator/_state`)).ok, 'the emulator', 30_000);

  const database = options.databaseUrl
    ? { DATABASE_URL: options.databaseUrl, DATA_DIR: mkdtempSync(join(tmpdir(), 'scrm-instance-')) }
    : { DATABASE_PATH: options.databasePath! };
  const start = (port: number): Instance => {
    const { child, output } = run('server/main.ts', [], {
      PORT: String(port),
      HOST: '127.0.0.1',
      ...database,
      SECRET_KEY,
      ADMIN_TOKEN: INSTANCE_ADMIN_TOKEN,
      WECOM_CORP_ID: DEMO_CORP.corpId,
      WECOM_AGENT_ID: String(DEMO_CORP.agentId),
      WECOM_SECRET: DEMO_CORP.secret,
      WECOM_TOKEN: DEMO_CORP.token,
      WECOM_ENCODING_AES_KEY: DEMO_CORP.encodingAesKey,
      WECOM_API_BASE: `${emulatorOrigin}/emulator`,
      WECOM_OAUTH_BASE: `${emulatorOrigin}/emulator`,
      WORKER_LEASE_MS: String(options.leaseMs ?? 30_000),
      LOG_LEVEL: 'warn',
    });
    return { url: `http://127.0.0.1:${port}`, process: child, output };
  };
  const serving = (s: Instance) =>
    until(async () => (await fetch(`${s.url}/healthz`)).ok, `the instance at ${s.url}`, 60_000).catch((err) => {
      throw new Error(`${(err as Error).message}\n${s.output()}`);
    });
  const servers = ports.map(start);
  await Promise.all(servers.map(serving));
  // The instances sync WeCom's directory at start, in a job: what a test makes next (a channel code) names reps.
  const db = await openDatabase(
    options.databaseUrl
      ? { backend: 'postgres', url: options.databaseUrl }
      : { backend: 'sqlite', path: options.databasePath! },
  );
  try {
    const { reps } = db.t;
    await until(
      async () => (await db.select({ userId: reps.userId }).from(reps).limit(1)).length > 0,
      'the directory sync',
      60_000,
    );
  } finally {
    await db.close();
  }

  const exited = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => child.once('exit', () => r()));
  return {
    emulator: emulatorOrigin,
    servers,
    async kill(index) {
      const { process: child } = servers[index]!;
      child.kill('SIGKILL');
      await exited(child);
    },
    async restart(index) {
      servers[index] = start(ports[index]!);
      await serving(servers[index]!);
    },
    async stop() {
      for (const s of servers) s.process.kill('SIGTERM');
      await Promise.all(servers.map((s) => exited(s.process)));
      emulator.child.kill('SIGTERM');
      await exited(emulator.child);
    },
  };
}
