/**
 * `npm run bench`: every benchmark scenario in one run, each printing its figures and whether its
 * targets were met. Exit code 1 when any target is missed.
 *   callback  — ingestion req/s, p50/p99, CPU per request, acknowledged events lost; side by side: the previous
 *               implementation, SQLite's three durability designs, PostgreSQL with 1 and with 3 instances
 *   welcome   — 200 adds/s for 30 s through channel codes: callback → welcome sent, duplicates, misses, CPU per add
 *               (the previous implementation, SQLite, PostgreSQL × 1 and × 3)
 *   overload  — a 60 s burst at twice the sustainable rate: welcomes sent within WeCom's 20 s
 *   sidebar   — bundle size and card/timeline latency on 100,000 customers and 1,000,000 timeline items
 *   suggest   — suggestion engine: latency at 5,000 scripts and 50,000 learned sends, learning one send, heap used
 *   reject    — server CPU per rejected callback, for every attacker shape
 *   messages  — archive ingest through the stand-in Finance SDK (RSA share), history, search and export at 2 M messages
 *   console   — every console GET route's p50/p95/max, a 100,000-row CSV export and the first-load JS, on 1 M customers
 *               and 5 M messages (BENCH_SCALE), SQLite and PostgreSQL
 *   automation — the 未回复提醒 pass (time, EXPLAIN: no full scans) and 10,000 robot notifications drained at
 *               20/min per robot on a bench-controlled clock, on the same dataset
 * `npm run bench -- callback` (or welcome, sidebar) runs one.
 */
import { benchAutomation, printAutomation } from './bench-automation.js';
import { benchCallback, printCallback } from './bench-callback.js';
import { benchConsole, printConsole } from './bench-console.js';
import { benchMessages, printMessages } from './bench-messages.js';
import { benchOverload, printOverload } from './bench-overload.js';
import { benchReject, printReject } from './bench-reject.js';
import { benchSidebar, printSidebar } from './bench-sidebar.js';
import { benchSuggest, printSuggest } from './bench-suggest.js';
import { benchWelcome, printWelcome } from './bench-welcome.js';

const scenarios: Record<string, () => Promise<boolean>> = {
  callback: async () => printCallback(await benchCallback()),
  welcome: async () => printWelcome(await benchWelcome()),
  overload: async () => printOverload(await benchOverload()),
  sidebar: async () => printSidebar(await benchSidebar()),
  suggest: async () => printSuggest(await benchSuggest()),
  reject: async () => printReject(await benchReject()),
  // BENCH_MESSAGES_TOTAL sets the stored size (default 2,000,000 messages).
  messages: async () =>
    printMessages(
      await benchMessages({
        total: process.env.BENCH_MESSAGES_TOTAL ? Number(process.env.BENCH_MESSAGES_TOTAL) : undefined,
      }),
    ),
  // BENCH_SCALE sizes the dataset (scripts/bench-data.ts; default 1 = 1 M customers, 5 M messages).
  console: async () => printConsole(await benchConsole()),
  automation: async () => printAutomation(await benchAutomation()),
};

const wanted = process.argv.slice(2).filter((a) => a in scenarios);
const names = wanted.length > 0 ? wanted : Object.keys(scenarios);
const results: Record<string, boolean> = {};
for (const name of names) results[name] = await scenarios[name]!();

console.log('\n## Summary');
for (const [name, ok] of Object.entries(results)) console.log(`${name.padEnd(10)} ${ok ? 'met' : 'NOT met'}`);
process.exit(Object.values(results).every(Boolean) ? 0 : 1);
