/**
 * What the callback and welcome benchmarks run against, one system per run: WeCom (the emulator and the customers,
 * scripts/bench-welcome-wecom.ts) in a process of its own, and the server in real-corp mode in one or several
 * processes of its own — on a fresh SQLite file, or on a fresh database of a throwaway PostgreSQL cluster with N
 * instances (WeCom delivering each callback to the next instance in turn, as a load balancer would). The server of
 * any checkout can be run (`root`), so the implementation before a change is measured the same way beside it.
 *
 * CPU figures come from /proc (user + system, all threads): the server processes' own, and PostgreSQL's (the
 * postmaster with its live backends and the ones it reaped), so a figure is what the work cost, whatever else the
 * shared machine runs meanwhile.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from './free-port.js';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { DEMO_CORP } from '../server/emulator/index.js';
import type { Counted, DriveCode, Driven } from './bench-welcome-customers.js';
import type { FromWecom, ToWecom } from './bench-welcome-wecom.js';
import type { PgCluster } from './pg-cluster.js';

export const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
const here = dirname(fileURLToPath(import.meta.url));
/** This checkout. */
export const THIS_ROOT = resolve(here, '..');

export type Target =
  | {
      label: string;
      backend: 'sqlite';
      /** The checkout whose server runs (default this one). */
      root?: string;
      /** Extra environment for the server (e.g. a durability variant for scripts/bench-durability.ts). */
      env?: Record<string, string>;
      /** Modules loaded before the server (node --import). */
      imports?: string[];
      /** Other node options (e.g. --cpu-prof). */
      nodeArgs?: string[];
    }
  | {
      label: string;
      backend: 'postgres';
      instances: number;
      env?: Record<string, string>;
      imports?: string[];
      nodeArgs?: string[];
    };

export interface Probe {
  /** Rows of a query written for both backends (no placeholders). */
  rows<T>(query: string): Promise<T[]>;
  close(): Promise<void>;
}

export interface Wecom {
  apiBase: string;
  configure(callbackUrls: string[]): void;
  drive(rate: number, seconds: number, codes: DriveCode[]): Promise<Driven>;
  collect(): Promise<Counted>;
  close(): Promise<void>;
}

export interface System {
  target: Target;
  servers: { url: string; pid: number }[];
  wecom: Wecom;
  probe: Probe;
  /** CPU of every server process so far, µs. */
  serverCpuUs(): number;
  /** CPU of PostgreSQL so far, µs (0 on SQLite). */
  databaseCpuUs(): number;
  stop(): Promise<void>;
}

/** The machine's 1-minute load average: printed with the figures (this machine is shared; 2 cores). */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** utime + stime (+ the reaped children's, `withChildren`) of a process, µs; 0 once it is gone. */
function statCpuUs(pid: number, withChildren = false): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0);
    return ticks * 10_000;
  } catch {
    return 0;
  }
}

/** CPU time of a process so far (all threads), µs, from /proc (clock ticks of 10 ms). */
export function processCpuUs(pid: number): number {
  return statCpuUs(pid);
}

/** The postmaster and every live backend, plus the backends it has reaped. */
function postgresCpuUs(cluster: PgCluster): number {
  const postmaster = Number(readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let total = statCpuUs(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const f = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
      if (Number(f[1]) === postmaster) total += (Number(f[11]) + Number(f[12])) * 10_000;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

async function startWecom(): Promise<{ wecom: Wecom; child: ChildProcess }> {
  const child: ChildProcess = fork(join(here, 'bench-welcome-wecom.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends FromWecom['type']>(type: T) =>
    new Promise<Extract<FromWecom, { type: T }>>((res, rej) => {
      const onMessage = (msg: FromWecom) => {
        if (msg.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        res(msg as Extract<FromWecom, { type: T }>);
      };
      const onExit = (code: number | null) => rej(new Error(`the WeCom process exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const post = (msg: ToWecom) => child.send(msg);
  const { port } = await next('ready');
  const wecom: Wecom = {
    apiBase: `http://127.0.0.1:${port}/emulator`,
    configure: (callbackUrls) => post({ type: 'configure', callbackUrls }),
    async drive(rate, seconds, codes) {
      const done = next('driven');
      post({ type: 'drive', rate, seconds, codes });
      const { type: _type, ...driven } = await done;
      return driven;
    },
    async collect() {
      const done = next('collected');
      post({ type: 'collect' });
      const { type: _type, ...counted } = await done;
      return counted;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
  return { wecom, child };
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the server at ${url} exited:\n${output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`the server at ${url} did not start:\n${output()}`);
}

let databases = 0;

/** Starts WeCom and the target's server(s) on a fresh database; resolves once every server answers /healthz. */
export async function startSystem(target: Target, cluster: PgCluster | null): Promise<System> {
  const { wecom } = await startWecom();
  const root = target.backend === 'sqlite' ? (target.root ?? THIS_ROOT) : THIS_ROOT;
  const count = target.backend === 'postgres' ? target.instances : 1;
  let databaseEnv: Record<string, string>;
  let probe: Probe;
  let dropDatabase = async () => {};
  const folder = mkdtempSync(join(tmpdir(), 'scrm-bench-'));
  if (target.backend === 'sqlite') {
    const path = join(folder, 'scrm.db');
    databaseEnv = { DATABASE_PATH: path };
    let db: Sqlite.Database | null = null;
    probe = {
      async rows<T>(query: string) {
        db ??= new Sqlite(path, { readonly: true });
        return db.prepare(query).all([]) as T[];
      },
      async close() {
        db?.close();
      },
    };
  } else {
    if (!cluster) throw new Error('a PostgreSQL target needs the cluster');
    const name = `bench_${process.pid}_${++databases}`;
    const url = await cluster.createDatabase(name);
    databaseEnv = { DATABASE_URL: url, DATA_DIR: folder, SECRET_KEY };
    const client = new pg.Client({ connectionString: url });
    let connected = false;
    probe = {
      async rows<T>(query: string) {
        if (!connected) await client.connect();
        connected = true;
        return (await client.query(query)).rows as T[];
      },
      async close() {
        if (connected) await client.end();
      },
    };
    if (process.env.BENCH_PG_STATEMENTS) {
      await probe.rows('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await probe.rows('SELECT pg_stat_statements_reset()');
    }
    dropDatabase = async () => {
      const admin = new pg.Client({ connectionString: cluster.url });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    };
  }

  const ports = await Promise.all(Array.from({ length: count }, freePort));
  const servers = ports.map((port) => {
    const args = [
      ...(target.nodeArgs ?? []),
      // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (not allowed in NODE_OPTIONS) to profile.
      ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      '--import',
      'tsx',
      ...(target.imports ?? []).flatMap((m) => ['--import', m]),
      'server/main.ts',
    ];
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: {
        ...process.env,
        ...databaseEnv,
        ...target.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        ADMIN_TOKEN,
        WECOM_CORP_ID: DEMO_CORP.corpId,
        WECOM_AGENT_ID: String(DEMO_CORP.agentId),
        WECOM_SECRET: DEMO_CORP.secret,
        WECOM_TOKEN: DEMO_CORP.token,
        WECOM_ENCODING_AES_KEY: DEMO_CORP.encodingAesKey,
        WECOM_API_BASE: wecom.apiBase,
        WECOM_OAUTH_BASE: wecom.apiBase,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    const keep = (chunk: Buffer) => void (text = (text + chunk.toString('utf8')).slice(-20_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (process.env.BENCH_VERBOSE) process.stderr.write(chunk);
    });
    return { url: `http://127.0.0.1:${port}`, child, output: () => text };
  });
  const stopServers = async () => {
    await Promise.all(
      servers.map(async (s) => {
        if (s.child.exitCode !== null || s.child.signalCode !== null) return;
        const exited = new Promise((r) => s.child.once('exit', r));
        s.child.kill('SIGTERM');
        const timer = setTimeout(() => s.child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  };
  try {
    // One at a time on PostgreSQL would hide nothing: the migrations are advisory-locked, instances start together.
    await Promise.all(servers.map((s) => waitHealthy(s.url, s.child, s.output)));
  } catch (err) {
    await stopServers();
    await wecom.close();
    throw err;
  }
  wecom.configure(servers.map((s) => `${s.url}/wecom/callback/${DEMO_CORP.corpId}`));

  return {
    target,
    servers: servers.map((s) => ({ url: s.url, pid: s.child.pid! })),
    wecom,
    probe,
    serverCpuUs: () => servers.reduce((sum, s) => sum + statCpuUs(s.child.pid!), 0),
    databaseCpuUs: () => (target.backend === 'postgres' && cluster ? postgresCpuUs(cluster) : 0),
    async stop() {
      await stopServers();
      await wecom.close();
      if (target.backend === 'postgres') await printStatements(probe);
      await probe.close();
      await dropDatabase();
      // Hundreds of MB per run: left behind, they pile up and their writeback slows the next runs.
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Calls the admin API of `base`. */
export async function admin<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Median of numbers, NaN (none measured) left out; NaN for none. */
export function median(xs: number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** BENCH_PG_STATEMENTS=<n>: the run's n statements that took PostgreSQL the most time, on stderr. */
async function printStatements(probe: Probe): Promise<void> {
  const n = Number(process.env.BENCH_PG_STATEMENTS ?? 0);
  if (!(n > 0)) return;
  const rows = await probe.rows<{ calls: string; total: number; mean: number; rows: string; query: string }>(
    `SELECT calls, total_exec_time AS total, mean_exec_time AS mean, rows, query FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time DESC LIMIT ${Math.floor(n)}`,
  );
  for (const r of rows) {
    const query = r.query.replace(/\s+/g, ' ').slice(0, 400);
    process.stderr.write(
      `${Math.round(r.total)} ms  ${r.calls} calls  ${r.mean.toFixed(3)} ms  ${r.rows} rows  ${query}\n`,
    );
  }
}
