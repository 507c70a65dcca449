/**
 * A burst of adds above capacity (the storage issue's scheduling item): how many customers are still welcomed within
 * WeCom's 20 seconds when adds arrive for 60 s at twice the rate this machine sustains.
 *
 * The sustainable rate is measured first: a 15-second run at the welcome bench's rate gives the server's CPU per add,
 * and one core's worth of that is the rate (the server's event loop is one thread). The burst then runs at twice it, on
 * SQLite (BENCH_OVERLOAD_BACKEND=postgres for one PostgreSQL instance). BENCH_BASELINE=<commit> runs that commit's
 * server through the same burst right after, for a before/after of a scheduling change.
 *
 * Target: at least half of what the machine sustains over the burst is welcomed in time (rate × 60 s / 2 × 50 %),
 * with no duplicate welcome or tag.
 */
import { pathToFileURL } from 'node:url';
import { checkout, type Checkout } from './bench-checkout.js';
import type { Target } from './bench-system.js';
import { welcomeRun, type WelcomeRun } from './bench-welcome.js';
import { startCluster, type PgCluster } from './pg-cluster.js';

const BURST_S = 60;
// The welcome bench's rate: at 40 adds/s the instance's fixed work (polls, timers) was more than half of the CPU per
// add (10.6 ms there against 5.5 ms at 200/s), so the calibration put the sustainable rate at 94/s and the "burst"
// (188/s) was below the 200/s this machine serves.
const CALIBRATION_RATE = 200;
const CALIBRATION_S = 15;

export interface OverloadResult {
  backend: string;
  sustainedRate: number;
  burstRate: number;
  runs: Array<{ label: string; run: WelcomeRun }>;
}

export async function benchOverload(): Promise<OverloadResult> {
  const backend = process.env.BENCH_OVERLOAD_BACKEND === 'postgres' ? 'postgres' : 'sqlite';
  let cluster: PgCluster | null = null;
  let baseline: Checkout | null = null;
  try {
    if (backend === 'postgres') cluster = await startCluster();
    const target: Target =
      backend === 'postgres'
        ? { label: 'PostgreSQL, 1 instance', backend: 'postgres', instances: 1 }
        : { label: 'SQLite', backend: 'sqlite' };
    const calibration = await welcomeRun(target, cluster, CALIBRATION_RATE, CALIBRATION_S);
    const sustainedRate = Math.max(10, Math.floor(1000 / calibration.cpuMsPerAdd));
    const burstRate = 2 * sustainedRate;
    process.stderr.write(
      `calibration: ${calibration.cpuMsPerAdd} ms CPU per add → sustains ~${sustainedRate} adds/s; burst at ${burstRate}/s for ${BURST_S} s\n`,
    );
    const runs: OverloadResult['runs'] = [];
    const drain = 240_000;
    runs.push({ label: target.label, run: await welcomeRun(target, cluster, burstRate, BURST_S, drain) });
    const baselineCommit = process.env.BENCH_BASELINE?.trim();
    if (baselineCommit && backend === 'sqlite') {
      baseline = checkout(baselineCommit);
      const before: Target = { label: `before (${baselineCommit}), SQLite`, backend: 'sqlite', root: baseline.root };
      runs.push({ label: before.label, run: await welcomeRun(before, cluster, burstRate, BURST_S, drain) });
    }
    return { backend, sustainedRate, burstRate, runs };
  } finally {
    cluster?.stop();
    baseline?.remove();
  }
}

export function printOverload(r: OverloadResult): boolean {
  const capacity = r.sustainedRate * BURST_S;
  const wanted = Math.round(capacity * 0.5);
  console.log(
    `\n## Burst above capacity (${r.burstRate} adds/s for ${BURST_S} s = 2 × the ~${r.sustainedRate}/s this machine sustains; ${r.backend})`,
  );
  let ok = true;
  for (const { label, run } of r.runs) {
    const dup = run.welcomeDuplicates + run.tagDuplicates;
    console.log(
      `${label} (load ${run.load}): ${run.adds} adds, welcomed within 20 s: ${run.inWindow} (${((run.inWindow / run.adds) * 100).toFixed(1)} % of adds, ${((run.inWindow / capacity) * 100).toFixed(0)} % of the ${capacity} the machine sustains over ${BURST_S} s); welcomes sent in all: ${run.welcomesSent}, p50 ${run.p50Ms} ms; duplicates ${dup}; ${run.cpuMsPerAdd} ms CPU per add`,
    );
    if (label === r.runs[0]!.label) ok = run.inWindow >= wanted && dup === 0;
  }
  console.log(`target: ≥ ${wanted} welcomed within 20 s (half of what the machine sustains), no duplicates`);
  console.log(ok ? 'overload targets: met' : 'overload targets: NOT met');
  return ok;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exit(printOverload(await benchOverload()) ? 0 : 1);
}
