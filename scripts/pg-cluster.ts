/**
 * A throwaway PostgreSQL cluster from Debian's `postgresql` package: initdb into a temp folder, started on a free
 * loopback port, removed on stop. PostgreSQL refuses to run as root, so as root its commands run as the `postgres`
 * user (runuser). Used by `npm run test:pg`, the multi-instance tests and the benchmarks.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { freePort } from './free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgCluster {
  /** postgres://… of the cluster's `postgres` database. */
  url: string;
  port: number;
  /** The cluster's data folder (postmaster.pid: the server's process, for CPU figures). */
  dataDir: string;
  /** A new empty database on the cluster; returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): void;
}

function binaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)) : [];
  if (versions.length === 0) {
    throw new Error('PostgreSQL is not installed: apt-get install -y postgresql (Debian) provides /usr/lib/postgresql');
  }
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0]!, 'bin');
}

const asRoot = process.getuid?.() === 0;

function run(bin: string, args: string[]): void {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${bin} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  }
}

export interface ClusterOptions {
  /**
   * Durability settings for tests: fsync off makes a test run several times faster and loses nothing a test cares
   * about (the cluster is thrown away). Benchmarks keep PostgreSQL's defaults.
   */
  fast?: boolean;
  maxConnections?: number;
  /**
   * PostgreSQL's shared buffers (e.g. '4GB'); its default, 128MB, is sized for a small shared machine, and its
   * documentation advises about a quarter of the memory for a dedicated database server.
   */
  sharedBuffers?: string;
}

export async function startCluster(options: ClusterOptions = {}): Promise<PgCluster> {
  const bin = binaries();
  const dir = mkdtempSync(join(tmpdir(), 'scrm-pg-'));
  chmodSync(dir, 0o755);
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '-N']);
  const port = await freePort();
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    `-c listen_addresses=127.0.0.1`,
    `-c max_connections=${options.maxConnections ?? 200}`,
    ...(options.fast ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
    ...(options.sharedBuffers ? [`-c shared_buffers=${options.sharedBuffers}`] : []),
    // BENCH_PG_STATEMENTS=<n>: benchmarks print their n costliest statements (scripts/bench-system.ts).
    ...(process.env.BENCH_PG_STATEMENTS ? ['-c shared_preload_libraries=pg_stat_statements'] : []),
    // BENCH_PG_SETTINGS="-c auto_explain…": more settings for a benchmark's cluster (diagnosis).
    ...(process.env.BENCH_PG_SETTINGS ? [process.env.BENCH_PG_SETTINGS] : []),
  ].join(' ');
  run(join(bin, 'pg_ctl'), ['-D', data, '-o', settings, '-l', join(dir, 'server.log'), '-w', 'start']);
  const base = `postgres://postgres@127.0.0.1:${port}`;
  let stopped = false;
  return {
    url: `${base}/postgres`,
    port,
    dataDir: data,
    async createDatabase(name: string) {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return `${base}/${name}`;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
