import { createSuggestionEngine } from './engine.js';
import type { EngineOptions, ScriptDoc } from './types.js';

/** A labelled query: the customer's latest message, earlier ones (oldest first), the scripts that fit (none: []). */
export interface EvalQuery {
  id?: string;
  query: string;
  context: string[];
  expected: string[];
  type?: string;
}

export interface EvalExchange {
  customerMessage: string;
  scriptId: string;
  at: number;
}

export interface EvalFigures {
  recall1: number;
  recall3: number;
  mrr: number;
  abstain: number;
  n: number;
  /** Queries with a non-empty `expected` / with `expected: []`. */
  answerable: number;
  intentless: number;
}

export interface EvalResult {
  overall: EvalFigures;
  byType: Map<string, EvalFigures>;
  learned: number;
  skippedHistory: number;
  /** Per query: the ids returned (for diagnostics). */
  returned: { query: EvalQuery; ids: string[] }[];
}

export class EvalInputError extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function idOf(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function optionalString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function requireArray(data: unknown, file: string): unknown[] {
  if (!Array.isArray(data)) throw new EvalInputError(`${file}: expected a JSON array at the top level`);
  return data;
}

/** Validates a scripts file (`[{ id, group?, title, content? }]`, extra fields ignored; numeric ids become strings). */
export function parseScripts(data: unknown, file = 'scripts'): ScriptDoc[] {
  const seen = new Set<string>();
  return requireArray(data, file).map((item, i) => {
    const where = `${file}[${i}]`;
    if (!isRecord(item)) throw new EvalInputError(`${where}: expected an object`);
    const id = idOf(item.id);
    if (!id) throw new EvalInputError(`${where}: "id" must be a non-empty string or a number`);
    if (seen.has(id)) throw new EvalInputError(`${where}: duplicate id "${id}"`);
    seen.add(id);
    const title = optionalString(item.title) ?? '';
    const content = optionalString(item.content) ?? '';
    if (title.trim() === '' && content.trim() === '') {
      throw new EvalInputError(`${where}: a script needs a "title" or a "content" string`);
    }
    const keywords = Array.isArray(item.keywords) ? item.keywords.filter((k) => typeof k === 'string') : undefined;
    return { id, title, content, group: optionalString(item.group), keywords };
  });
}

/** Validates a queries file (`[{ id?, query, context?, expected, type? }]`). */
export function parseQueries(data: unknown, file = 'queries'): EvalQuery[] {
  return requireArray(data, file).map((item, i) => {
    const where = `${file}[${i}]`;
    if (!isRecord(item)) throw new EvalInputError(`${where}: expected an object`);
    if (typeof item.query !== 'string') throw new EvalInputError(`${where}: "query" must be a string`);
    if (!Array.isArray(item.expected)) throw new EvalInputError(`${where}: "expected" must be an array of script ids`);
    const expected = item.expected.map((e, j) => {
      const id = idOf(e);
      if (!id) throw new EvalInputError(`${where}.expected[${j}]: a script id must be a string or a number`);
      return id;
    });
    let context: string[] = [];
    if (typeof item.context === 'string') context = [item.context];
    else if (Array.isArray(item.context)) {
      context = item.context.map((c, j) => {
        if (typeof c !== 'string') throw new EvalInputError(`${where}.context[${j}]: must be a string`);
        return c;
      });
    } else if (item.context !== undefined && item.context !== null) {
      throw new EvalInputError(`${where}: "context" must be an array of strings`);
    }
    const type = optionalString(item.type);
    return { id: optionalString(item.id), query: item.query, context, expected, type };
  });
}

/** Validates a history file (`[{ customerMessage, scriptId, at }]`, `at` an ISO time). */
export function parseHistory(data: unknown, file = 'history'): EvalExchange[] {
  return requireArray(data, file).map((item, i) => {
    const where = `${file}[${i}]`;
    if (!isRecord(item)) throw new EvalInputError(`${where}: expected an object`);
    if (typeof item.customerMessage !== 'string') {
      throw new EvalInputError(`${where}: "customerMessage" must be a string`);
    }
    const scriptId = idOf(item.scriptId);
    if (!scriptId) throw new EvalInputError(`${where}: "scriptId" must be a non-empty string or a number`);
    const at = typeof item.at === 'string' ? Date.parse(item.at) : typeof item.at === 'number' ? item.at : NaN;
    if (!Number.isFinite(at)) throw new EvalInputError(`${where}: "at" must be an ISO date-time`);
    return { customerMessage: item.customerMessage, scriptId, at };
  });
}

function figures(rows: { query: EvalQuery; ids: string[] }[]): EvalFigures {
  let r1 = 0;
  let r3 = 0;
  let rr = 0;
  let answerable = 0;
  let intentless = 0;
  let abstained = 0;
  for (const { query, ids } of rows) {
    if (query.expected.length === 0) {
      intentless++;
      if (ids.length === 0) abstained++;
      continue;
    }
    answerable++;
    const rank = ids.findIndex((id) => query.expected.includes(id));
    if (rank === 0) r1++;
    if (rank >= 0 && rank < 3) r3++;
    if (rank >= 0) rr += 1 / (rank + 1);
  }
  return {
    recall1: answerable ? r1 / answerable : 0,
    recall3: answerable ? r3 / answerable : 0,
    mrr: answerable ? rr / answerable : 0,
    abstain: intentless ? abstained / intentless : 1,
    n: rows.length,
    answerable,
    intentless,
  };
}

/**
 * Runs the product's engine on a labelled set: builds it from the scripts, learns the history in time order, then
 * asks every query at the latest history time plus one day.
 */
export function evaluate(input: {
  scripts: ScriptDoc[];
  queries: EvalQuery[];
  history?: EvalExchange[];
  options?: EngineOptions;
}): EvalResult {
  const engine = createSuggestionEngine({ scripts: input.scripts, options: input.options });
  const history = [...(input.history ?? [])].sort((a, b) => a.at - b.at);
  let learned = 0;
  for (const h of history) {
    if (engine.learn({ message: h.customerMessage, scriptId: h.scriptId, at: h.at })) learned++;
  }
  const now = history.length > 0 ? history[history.length - 1]!.at + 86_400_000 : Date.now();
  const returned = input.queries.map((query) => ({
    query,
    ids: engine.suggest({ messages: [...query.context, query.query], now, limit: 3 }).map((s) => s.scriptId),
  }));
  const byType = new Map<string, EvalFigures>();
  const types = [...new Set(input.queries.map((q) => q.type).filter((t): t is string => !!t))];
  for (const t of types) byType.set(t, figures(returned.filter((r) => r.query.type === t)));
  return { overall: figures(returned), byType, learned, skippedHistory: history.length - learned, returned };
}

export function formatFigures(f: EvalFigures): string {
  return `recall@1=${f.recall1.toFixed(3)} recall@3=${f.recall3.toFixed(3)} mrr=${f.mrr.toFixed(3)} abstain=${f.abstain.toFixed(3)} n=${f.n}`;
}
