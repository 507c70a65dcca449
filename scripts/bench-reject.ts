/**
 * What a rejected callback costs the server (hardening issue, item 1): the real server in its own process, real-corp
 * mode, as `bench-callback.ts` starts it. Every attacker shape of test/adversarial/callback-shapes.ts is sent in
 * batches; the server's CPU (user + system, all threads, from /proc/<pid>/stat) per request is printed per shape, mean
 * and worst batch, against the target of ≤ 5 ms. Then /healthz latency, quiet and under a steady flood of the
 * costliest shape. Exit code 1 when a shape misses the target or is answered with another status.
 *
 * Bodies sent in tiny chunks are measured and printed apart: most of what they cost is Node's HTTP parser (one call
 * into JavaScript per piece, on every route), which no route code can avoid; see the README.
 *
 * Run alone with `tsx scripts/bench-reject.ts`; `BENCH_REJECT_BATCH` sets the requests per batch (default 100).
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { DEMO_CORP } from '../server/emulator/index.js';
import { callbackShapes, chunkedShapes, type CallbackShape } from '../test/adversarial/callback-shapes.js';
import { processCpuUs, startSystem } from './bench-system.js';
import { percentile } from './percentile.js';

const TARGET_MS = 5;
const BATCHES = 3;
const PER_BATCH = Number(process.env['BENCH_REJECT_BATCH'] ?? 100);
const CONCURRENCY = 4;
/** The outside probe's rate (11 req/s took /healthz to p99 2.5 s), and ten times more. */
const FLOOD_RATES = [11, 100];
const FLOOD_S = 10;
const PROBE_INTERVAL_MS = 20;

export interface RejectRow {
  name: string;
  expected: number;
  /** Answers by status; 0 = the connection ended without one. */
  statuses: Record<number, number>;
  meanMs: number;
  maxBatchMs: number;
  chunked: boolean;
}

export interface Latency {
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

export interface RejectBenchResult {
  rows: RejectRow[];
  idleMsPerS: number;
  /** The machine's 1-minute load average before and after the shapes: on a shared machine, CPU per request grows with it. */
  load: [string, string];
  healthzQuiet: Latency;
  healthzFlood: (Latency & { shape: string; rps: number; floodAnswered: number; floodSent: number })[];
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;
}

/** Sends one request and resolves with its status (0 when the connection ended without one). */
function send(base: URL, shape: CallbackShape): Promise<number> {
  if (shape.chunkSize) return sendChunked(base, shape);
  return new Promise((resolve) => {
    let status = 0;
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: shape.method,
        path: shape.url,
        headers: { ...shape.headers, ...(shape.body ? { 'content-length': String(shape.body.length) } : {}) },
      },
      (res) => {
        status = res.statusCode ?? 0;
        res.resume();
        res.on('end', () => resolve(status));
        res.on('error', () => resolve(status));
      },
    );
    // The server may answer and close before the whole body is written (404, 413): the answer is what counts.
    req.on('error', () => resolve(status));
    req.end(shape.body);
  });
}

const chunkedRequests = new WeakMap<CallbackShape, Buffer>();

/** The bytes of a chunked request, built once per shape. */
function chunkedBytes(base: URL, shape: CallbackShape): Buffer {
  let bytes = chunkedRequests.get(shape);
  if (bytes) return bytes;
  const body = shape.body ?? Buffer.alloc(0);
  const size = shape.chunkSize!;
  const parts: Buffer[] = [];
  const head = Object.entries(shape.headers).map(([k, v]) => `${k}: ${v}\r\n`);
  parts.push(
    Buffer.from(
      `${shape.method} ${shape.url} HTTP/1.1\r\nHost: ${base.host}\r\n${head.join('')}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
    ),
  );
  for (let at = 0; at < body.length; at += size) {
    const piece = body.subarray(at, at + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  bytes = Buffer.concat(parts);
  chunkedRequests.set(shape, bytes);
  return bytes;
}

function sendChunked(base: URL, shape: CallbackShape): Promise<number> {
  const bytes = chunkedBytes(base, shape);
  return new Promise((resolve) => {
    let head = '';
    const socket = connect(Number(base.port), base.hostname);
    socket.on('data', (d: Buffer) => {
      if (head.length < 64) head += d.toString('latin1');
    });
    const done = () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0));
    socket.on('close', done);
    socket.on('error', () => socket.destroy());
    socket.end(bytes);
  });
}

async function batch(base: URL, shape: CallbackShape, count: number, statuses: Record<number, number>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        next++;
        const status = await send(base, shape);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
}

async function measureShape(base: URL, pid: number, shape: CallbackShape): Promise<RejectRow> {
  const statuses: Record<number, number> = {};
  await batch(base, shape, 5, {}); // warm-up: JIT, connections
  const perBatch: number[] = [];
  let totalUs = 0;
  for (let b = 0; b < BATCHES; b++) {
    const before = processCpuUs(pid);
    await batch(base, shape, PER_BATCH, statuses);
    const us = processCpuUs(pid) - before;
    totalUs += us;
    perBatch.push(us / PER_BATCH / 1000);
  }
  return {
    name: shape.name,
    expected: shape.status,
    statuses,
    meanMs: totalUs / (BATCHES * PER_BATCH) / 1000,
    maxBatchMs: Math.max(...perBatch),
    chunked: shape.chunkSize !== undefined,
  };
}

function latencyOf(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    samples: sorted.length,
  };
}

/** /healthz every PROBE_INTERVAL_MS, one at a time, for `seconds`: the latency a health check or real caller sees. */
async function probeHealthz(base: URL, seconds: number): Promise<number[]> {
  const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const req = request({ agent: probeAgent, host: base.hostname, port: base.port, path: '/healthz' }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', () => resolve());
      req.end();
    });
    const took = performance.now() - started;
    samples.push(took);
    await new Promise((r) => setTimeout(r, Math.max(0, PROBE_INTERVAL_MS - took)));
  }
  probeAgent.destroy();
  return samples;
}

/** `shape` at a steady `rps` (open loop: a slow server does not slow the attacker) while /healthz is probed. */
async function floodAndProbe(base: URL, shape: CallbackShape, rps: number) {
  let sent = 0;
  let answered = 0;
  let inFlight = 0;
  const timer = setInterval(() => {
    if (inFlight >= 256) return; // the attacker's own limit
    sent++;
    inFlight++;
    void send(base, shape).then((status) => {
      inFlight--;
      if (status === shape.status) answered++;
    });
  }, 1000 / rps);
  const samples = await probeHealthz(base, FLOOD_S);
  clearInterval(timer);
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 50));
  return { samples, sent, answered };
}

export async function benchReject(): Promise<RejectBenchResult> {
  const system = await startSystem({ label: 'SQLite', backend: 'sqlite' }, null);
  const url = new URL(system.servers[0]!.url);
  const pid = system.servers[0]!.pid;
  try {
    const corp = { corpId: DEMO_CORP.corpId, token: DEMO_CORP.token, encodingAesKey: DEMO_CORP.encodingAesKey };
    // The first seconds after start are the JIT and the boot's own work, not idling.
    await new Promise((r) => setTimeout(r, 3000));
    const idleBefore = processCpuUs(pid);
    await new Promise((r) => setTimeout(r, 2000));
    const idleMsPerS = (processCpuUs(pid) - idleBefore) / 2000;
    const loadBefore = loadAverage();

    const rows: RejectRow[] = [];
    const shapes = [...callbackShapes(corp), ...chunkedShapes(corp)];
    for (const shape of shapes) {
      rows.push(await measureShape(url, pid, shape));
      process.stderr.write('.');
    }
    process.stderr.write('\n');

    const healthzQuiet = latencyOf(await probeHealthz(url, 5));
    const gated = rows.filter((r) => !r.chunked);
    const worst = gated.reduce((a, b) => (b.meanMs > a.meanMs ? b : a));
    const worstShape = shapes.find((s) => s.name === worst.name)!;
    const healthzFlood = [];
    for (const rps of FLOOD_RATES) {
      const flood = await floodAndProbe(url, worstShape, rps);
      healthzFlood.push({
        ...latencyOf(flood.samples),
        shape: worst.name,
        rps,
        floodSent: flood.sent,
        floodAnswered: flood.answered,
      });
    }
    return { rows, idleMsPerS, load: [loadBefore, loadAverage()], healthzQuiet, healthzFlood };
  } finally {
    agent.destroy();
    await system.stop();
  }
}

function statusText(row: RejectRow): string {
  return Object.entries(row.statuses)
    .map(([status, n]) => (Number(status) === row.expected ? status : `${status}×${n}!`))
    .join(' ');
}

export function printReject(r: RejectBenchResult): boolean {
  const width = Math.max(...r.rows.map((row) => row.name.length));
  const line = (row: RejectRow) => {
    const ok = row.statuses[row.expected] === BATCHES * PER_BATCH && row.maxBatchMs <= TARGET_MS;
    return `${row.name.padEnd(width)}  ${String(row.expected).padEnd(6)} ${statusText(row).padEnd(10)} ${row.meanMs.toFixed(2).padStart(8)} ${row.maxBatchMs.toFixed(2).padStart(8)}  ${ok ? '✔' : '✘'}`;
  };
  const header = `${'shape'.padEnd(width)}  status got        mean ms  max ms`;
  console.log(`\n## Rejected callbacks (${BATCHES} batches of ${PER_BATCH}, ${CONCURRENCY} connections)`);
  console.log(`server CPU per request, all threads, from /proc; target ≤ ${TARGET_MS} ms for every shape`);
  console.log(
    `(idle server: ${r.idleMsPerS.toFixed(2)} ms of CPU per second, included; machine load average ${r.load[0]} → ${r.load[1]})\n`,
  );
  console.log(header);
  const gated = r.rows.filter((row) => !row.chunked);
  for (const row of gated) console.log(line(row));
  console.log(`\nBodies in tiny chunks (Node's HTTP parser, every route; printed, not part of the target):\n`);
  console.log(header);
  for (const row of r.rows.filter((row) => row.chunked)) console.log(line(row));

  const q = r.healthzQuiet;
  const figures = (l: Latency) =>
    `p50 ${l.p50.toFixed(1)} ms  p99 ${l.p99.toFixed(1)} ms  max ${l.max.toFixed(1)} ms  (${l.samples} probes)`;
  console.log(`\nGET /healthz, one probe every ${PROBE_INTERVAL_MS} ms:`);
  console.log(`  quiet                    ${figures(q)}`);
  for (const f of r.healthzFlood) {
    console.log(
      `  under ${String(f.rps).padStart(3)} req/s of the worst  ${figures(f)}; flood ${f.floodAnswered}/${f.floodSent} answered as expected`,
    );
  }
  if (r.healthzFlood[0]) console.log(`  (the worst shape: "${r.healthzFlood[0].shape}")`);

  const ok = gated.every((row) => row.statuses[row.expected] === BATCHES * PER_BATCH && row.maxBatchMs <= TARGET_MS);
  const statusesOk = r.rows.every((row) => row.statuses[row.expected] === BATCHES * PER_BATCH);
  console.log(ok && statusesOk ? 'reject targets: met' : 'reject targets: NOT met');
  return ok && statusesOk;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ok = printReject(await benchReject());
  process.exit(ok ? 0 : 1);
}
