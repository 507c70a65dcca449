/**
 * Callback ingestion (issues "Foundation" and "storage"): WeCom's encrypted add_external_contact callbacks, distinct
 * and pre-encrypted, sent by autocannon (50 connections for 10 s per run) to the server in real-corp mode, in its own
 * process(es), on a fresh database per run. Every acknowledged event must be in the inbox afterwards.
 *
 * One run measures, side by side and interleaved (round after round, every target once per round, the order
 * reversed every other round, as the shared machine's speed drifts):
 *   - the implementation before the data layer (commit PREVIOUS, checked out beside this one), SQLite;
 *   - this one on SQLite, in three durability designs (scripts/bench-durability.ts): nothing synced before the 200
 *     (as before), the WAL synced on libuv's thread pool before the 200 (shipped), synchronous = FULL;
 *   - this one on PostgreSQL (durable defaults) with 1 instance and with 3 instances on one database (the load
 *     generator spreads its connections over the instances, as a load balancer would).
 * Printed per target: the median over rounds of req/s, p50, p99 and server CPU per request (the server processes'
 * own, from /proc; PostgreSQL's beside it), every round's figures, and acknowledged events missing from the inbox.
 *
 * `tsx scripts/bench-callback.ts`; BENCH_ROUNDS (default 3), BENCH_CALLBACK_TARGETS (labels' keys, comma-separated).
 */
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { DEMO_CORP, SALES_REPS } from '../server/emulator/index.js';
import { sealCallback } from '../server/wecom/crypto.js';
import { buildExternalContactEventXml, idempotencyKey, parseEvent } from '../server/wecom/events.js';
import { checkout, type Checkout } from './bench-checkout.js';
import { loadAverage, median, startSystem, THIS_ROOT, type System, type Target } from './bench-system.js';
import { startCluster, type PgCluster } from './pg-cluster.js';

/** The last commit before the async data layer. */
export const PREVIOUS = 'b580989';
const CONNECTIONS = 50;
const DURATION_S = 10;
const WARM_UP_S = 3;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const P99_TARGET_MS = 25;
/** This implementation on SQLite may be at most this much below the previous one (same run). */
const MAX_SLOWDOWN = 0.1;

type Key = 'previous' | 'nosync' | 'shipped' | 'full' | 'pg1' | 'pg3';

export interface CallbackRun {
  rps: number;
  p50: number;
  p99: number;
  /** Server processes' CPU per acknowledged request, µs. */
  cpuUs: number;
  /** PostgreSQL's CPU per acknowledged request, µs (0 on SQLite). */
  dbCpuUs: number;
  acknowledged: number;
  missing: number;
  /** The machine's load average at the end of the run (shared machine, 2 cores). */
  load: number;
}

export interface CallbackTargetResult {
  key: Key;
  label: string;
  runs: CallbackRun[];
  median: Omit<CallbackRun, 'acknowledged' | 'missing' | 'load'>;
  acknowledged: number;
  missing: number;
}

export interface CallbackBenchResult {
  rounds: number;
  targets: CallbackTargetResult[];
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
/** Events per CreateTime second: about the rate this benchmark reaches, as a storm of that size would stamp them. */
const EVENTS_PER_SECOND = 25_000;

/** An external_userid as WeCom issues them: `wm` and 30 opaque characters. */
function externalUserId(): string {
  return `wm${Array.from(randomBytes(30), (b) => ID_ALPHABET[b & 63]).join('')}`;
}

/**
 * Distinct add_external_contact callbacks as a real storm sends them: the demo corp's six reps, opaque customer ids
 * (so the inbox's key index sees WeCom's order, not a friendly sequence), CreateTime advancing with the stream.
 */
function preEncrypt(count: number, corpId: string) {
  const cred = { token: DEMO_CORP.token, encodingAesKey: DEMO_CORP.encodingAesKey, receiveId: corpId };
  const start = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, (_, i) => {
    const xml = buildExternalContactEventXml({
      corpId,
      changeType: 'add_external_contact',
      userId: SALES_REPS[i % SALES_REPS.length]!,
      externalUserId: externalUserId(),
      createTime: start + Math.floor(i / EVENTS_PER_SECOND),
      state: 'bench',
      welcomeCode: `bench-${i}`,
    });
    const sealed = sealCallback(cred, xml);
    return {
      key: idempotencyKey(parseEvent(xml)),
      path: `/wecom/callback/${corpId}?msg_signature=${sealed.msgSignature}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`,
      body: `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><Encrypt><![CDATA[${sealed.encrypt}]]></Encrypt><AgentID><![CDATA[${DEMO_CORP.agentId}]]></AgentID></xml>`,
    };
  });
}

type SealedEvent = ReturnType<typeof preEncrypt>[number];

/** A POST of `next()` per request; `onAck` hears each answer. */
function callbackRequests(
  next: () => SealedEvent,
  onAck?: (key: string, status: number) => void,
): autocannon.Request[] {
  return [
    {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      setupRequest: (req, context) => {
        const event = next();
        (context as { key?: string }).key = event.key;
        return { ...req, path: event.path, body: event.body };
      },
      onResponse: (status, _body, context) => onAck?.((context as { key: string }).key, status),
    },
  ];
}

/**
 * autocannon on every server at once, the connections spread over them. Throughput is the sum; p50 and p99 are the
 * worst instance's (a merged histogram is not available; the worst is the conservative figure).
 */
async function load(system: System, connections: number, seconds: number, requests: () => autocannon.Request[]) {
  const n = system.servers.length;
  const results = await Promise.all(
    system.servers.map((s, i) =>
      autocannon({
        url: s.url,
        connections: Math.floor(connections / n) + (i < connections % n ? 1 : 0),
        duration: seconds,
        requests: requests(),
      }),
    ),
  );
  return {
    rps: Math.round(results.reduce((sum, r) => sum + r.requests.average, 0)),
    total: results.reduce((sum, r) => sum + r.requests.total, 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
  };
}

async function oneRun(target: Target, cluster: PgCluster | null, events: SealedEvent[]): Promise<CallbackRun> {
  const system = await startSystem(target, cluster);
  try {
    // Warm up (JIT, page cache): the first events, new and then re-delivered as WeCom retries them.
    const warmUp = 1000;
    let warmed = 0;
    await load(system, 10, WARM_UP_S, () => callbackRequests(() => events[warmed++ % warmUp]!));

    let sent = warmUp;
    const acknowledged = new Set<string>();
    const cpuBefore = system.serverCpuUs();
    const dbBefore = system.databaseCpuUs();
    const r = await load(system, CONNECTIONS, DURATION_S, () =>
      callbackRequests(
        () => events[sent++ % events.length]!,
        (key, status) => {
          if (status === 200) acknowledged.add(key);
        },
      ),
    );
    const cpuUs = system.serverCpuUs() - cpuBefore;
    const dbCpuUs = system.databaseCpuUs() - dbBefore;
    if (sent > events.length) process.stderr.write(`note: ${sent - events.length} events were re-sent\n`);

    const stored = new Set(
      (await system.probe.rows<{ k: string }>(`SELECT idempotency_key AS k FROM events`)).map((row) => row.k),
    );
    let missing = 0;
    for (const key of acknowledged) if (!stored.has(key)) missing++;
    const per = (us: number) => Math.round((us / Math.max(1, r.total)) * 10) / 10;
    return {
      rps: r.rps,
      p50: r.p50,
      p99: r.p99,
      cpuUs: per(cpuUs),
      dbCpuUs: per(dbCpuUs),
      acknowledged: acknowledged.size,
      missing,
      load: loadAverage(),
    };
  } finally {
    await system.stop();
  }
}

export async function benchCallback(): Promise<CallbackBenchResult> {
  const wanted = process.env.BENCH_CALLBACK_TARGETS?.split(',').map((k) => k.trim()) ?? null;
  const include = (key: Key) => wanted === null || wanted.includes(key);
  const durability = `${THIS_ROOT}/scripts/bench-durability.ts`;
  let previous: Checkout | null = null;
  let cluster: PgCluster | null = null;
  try {
    const targets: Array<{ key: Key; target: Target }> = [];
    if (include('previous')) {
      previous = checkout(PREVIOUS);
      targets.push({
        key: 'previous',
        target: { label: `previous (${PREVIOUS}), SQLite`, backend: 'sqlite', root: previous.root },
      });
    }
    const sqlite = (key: Key, label: string, variant?: string) =>
      include(key) &&
      targets.push({
        key,
        target: {
          label,
          backend: 'sqlite',
          imports: [durability],
          env: variant ? { BENCH_SQLITE_DURABILITY: variant } : {},
        },
      });
    sqlite('nosync', 'SQLite, nothing synced before the 200 (as before)', 'none');
    sqlite('shipped', 'SQLite, WAL fdatasync on the thread pool (shipped)');
    sqlite('full', 'SQLite, synchronous = FULL', 'full');
    if (include('pg1') || include('pg3')) cluster = await startCluster();
    if (include('pg1'))
      targets.push({ key: 'pg1', target: { label: 'PostgreSQL, 1 instance', backend: 'postgres', instances: 1 } });
    if (include('pg3'))
      targets.push({ key: 'pg3', target: { label: 'PostgreSQL, 3 instances', backend: 'postgres', instances: 3 } });

    const events = preEncrypt(CONNECTIONS * DURATION_S * 1000, DEMO_CORP.corpId);
    const runs = new Map<Key, CallbackRun[]>(targets.map((t) => [t.key, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const { key, target } of order) {
        const run = await oneRun(target, cluster, events);
        runs.get(key)!.push(run);
        process.stderr.write(
          `round ${round + 1}/${ROUNDS} ${target.label}: ${run.rps} req/s, p50 ${run.p50} ms, p99 ${run.p99} ms, ${run.cpuUs} µs CPU/req (+${run.dbCpuUs} database), missing ${run.missing}\n`,
        );
      }
    }
    return {
      rounds: ROUNDS,
      targets: targets.map(({ key, target }) => {
        const r = runs.get(key)!;
        return {
          key,
          label: target.label,
          runs: r,
          median: {
            rps: median(r.map((x) => x.rps)),
            p50: median(r.map((x) => x.p50)),
            p99: median(r.map((x) => x.p99)),
            cpuUs: median(r.map((x) => x.cpuUs)),
            dbCpuUs: median(r.map((x) => x.dbCpuUs)),
          },
          acknowledged: r.reduce((s, x) => s + x.acknowledged, 0),
          missing: r.reduce((s, x) => s + x.missing, 0),
        };
      }),
    };
  } finally {
    cluster?.stop();
    previous?.remove();
  }
}

export function printCallback(r: CallbackBenchResult): boolean {
  console.log(
    `\n## Callback ingestion (${CONNECTIONS} connections, ${DURATION_S} s per run, ${r.rounds} interleaved rounds; medians)`,
  );
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(`${'target'.padEnd(52)}${pad('req/s', 8)}${pad('p50', 6)}${pad('p99', 6)}${pad('CPU µs/req', 12)}  lost`);
  for (const t of r.targets) {
    const db = t.median.dbCpuUs > 0 ? ` +${t.median.dbCpuUs} db` : '';
    console.log(
      `${t.label.padEnd(52)}${pad(t.median.rps, 8)}${pad(t.median.p50, 6)}${pad(t.median.p99, 6)}${pad(t.median.cpuUs, 12)}${db}  ${t.missing} of ${t.acknowledged}`,
    );
    console.log(
      `${''.padEnd(4)}runs: ${t.runs.map((x) => `${x.rps} req/s p99 ${x.p99} (${x.cpuUs} µs, load ${x.load})`).join(' | ')}`,
    );
  }
  const by = (key: Key) => r.targets.find((t) => t.key === key);
  const checks: Array<[string, boolean]> = [];
  const shipped = by('shipped');
  const previous = by('previous');
  if (shipped) {
    checks.push([
      `SQLite (shipped) p99 ≤ ${P99_TARGET_MS} ms, 0 lost`,
      shipped.median.p99 <= P99_TARGET_MS && shipped.missing === 0,
    ]);
    if (previous) {
      const ratio = shipped.median.rps / previous.median.rps;
      checks.push([
        `SQLite (shipped) throughput ≥ ${(1 - MAX_SLOWDOWN) * 100} % of the previous implementation's: ${(ratio * 100).toFixed(1)} %`,
        ratio >= 1 - MAX_SLOWDOWN,
      ]);
    }
  }
  for (const key of ['pg1', 'pg3'] as const) {
    const t = by(key);
    if (t)
      checks.push([`${t.label}: p99 ≤ ${P99_TARGET_MS} ms, 0 lost`, t.median.p99 <= P99_TARGET_MS && t.missing === 0]);
  }
  for (const [what, ok] of checks) console.log(`${ok ? '✔' : '✘'} ${what}`);
  const ok = checks.every(([, met]) => met);
  console.log(ok ? 'callback targets: met' : 'callback targets: NOT met');
  return ok;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ok = printCallback(await benchCallback());
  process.exit(ok ? 0 : 1);
}
