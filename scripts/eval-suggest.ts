/**
 * `npm run eval:suggest -- --scripts S.json --queries Q.json [--history H.json] [--verbose]`
 *
 * Evaluates the product's suggestion engine on a labelled set: builds it from S alone, learns H in time order, asks
 * every query of Q at the latest history time plus one day. Prints one line per query `type` (when types are given)
 * and, as its last line, `recall@1=… recall@3=… mrr=… abstain=… n=…`. `--verbose` first lists the misses.
 * Bad arguments or input files: a message on stderr and exit code 2.
 */
import { readFileSync } from 'node:fs';
import {
  evaluate,
  EvalInputError,
  formatFigures,
  parseHistory,
  parseQueries,
  parseScripts,
} from '../server/modules/suggest/engine/evaluate.js';

const USAGE = 'usage: npm run eval:suggest -- --scripts S.json --queries Q.json [--history H.json] [--verbose]';

function fail(message: string): never {
  console.error(`eval:suggest: ${message}`);
  process.exit(2);
}

function parseArgs(argv: string[]): { scripts: string; queries: string; history?: string; verbose: boolean } {
  const values: Record<string, string> = {};
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--verbose') {
      verbose = true;
      continue;
    }
    const eq = arg.match(/^--(scripts|queries|history)=(.*)$/);
    if (eq) {
      values[eq[1]!] = eq[2]!;
      continue;
    }
    const name = arg.match(/^--(scripts|queries|history)$/)?.[1];
    if (!name) fail(`unknown argument "${arg}"\n${USAGE}`);
    const value = argv[++i];
    if (value === undefined || value.startsWith('--')) fail(`--${name} needs a file\n${USAGE}`);
    values[name] = value;
  }
  if (!values.scripts || !values.queries) fail(`--scripts and --queries are required\n${USAGE}`);
  return { scripts: values.scripts, queries: values.queries, history: values.history, verbose };
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    fail(`cannot read the ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    fail(`the ${what} file ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

const args = parseArgs(process.argv.slice(2));
try {
  const scripts = parseScripts(readJson(args.scripts, 'scripts'), args.scripts);
  const queries = parseQueries(readJson(args.queries, 'queries'), args.queries);
  const history = args.history ? parseHistory(readJson(args.history, 'history'), args.history) : undefined;
  if (scripts.length === 0) fail(`${args.scripts}: no scripts`);
  if (queries.length === 0) fail(`${args.queries}: no queries`);

  const result = evaluate({ scripts, queries, history });
  if (args.verbose) {
    for (const { query, ids } of result.returned) {
      const hit = query.expected.length === 0 ? ids.length === 0 : ids.some((id) => query.expected.includes(id));
      if (hit) continue;
      const context = query.context.length > 0 ? ` (上文: ${query.context.join(' / ')})` : '';
      console.log(`MISS ${query.id ?? ''} ${query.query}${context} expected=[${query.expected}] got=[${ids}]`);
    }
  }
  console.log(
    `scripts=${scripts.length} queries=${queries.length} history=${history?.length ?? 0} learned=${result.learned}` +
      (result.skippedHistory > 0 ? ` skipped=${result.skippedHistory} (unknown script or nothing asked)` : ''),
  );
  for (const [type, f] of [...result.byType].sort((a, b) => a[0].localeCompare(b[0]))) {
    console.log(`type=${type} ${formatFigures(f)}`);
  }
  console.log(formatFigures(result.overall));
} catch (err) {
  if (err instanceof EvalInputError) fail(err.message);
  throw err;
}
