import type { Analysis } from './analyze.js';
import { termWeight } from './weights.js';
import type { LearnedPair } from './types.js';

const DAY_MS = 86_400_000;
/** Masses are stored as weight × e^(λ·(at − EPOCH)): decay is then one factor at scoring time, never a rewrite. */
const EPOCH = Date.UTC(2024, 0, 1);

interface Entry {
  /** Distinct topic terms (words and bigrams) of the normalised message. */
  terms: string[];
  /** scriptId → stored (epoch-scaled) mass. */
  scripts: Map<string, number>;
  total: number;
}

export interface LearnedVote {
  /** Nearest learned messages (noisy-OR of similarity × share × confidence), 0..1. */
  neighbours: number;
  /** The learned message most similar to the query that led to this script (for the reason). */
  example: string;
}

/**
 * Only near-repeats vote as neighbours: a learned message half like the query usually shares its product and not
 * its question (扫地机器人售价 vs 扫地机器人的图片); looser likeness is left to the learned field's word weights.
 */
const MIN_SIMILARITY = 0.6;

/** A learned message's confidence from its decayed mass: one send today ≈ 0.87, a send 3 half-lives old ≈ 0.45. */
function confidence(mass: number): number {
  return mass / (mass + 0.15);
}

/**
 * What the team taught: customer messages and the scripts reps sent after them. Identical messages (normalised)
 * share one entry whose per-script mass adds up (frequency); each send's weight halves every `halfLifeDays`
 * (recency). New wording is matched to the nearest learned messages (weighted Dice over words and bigrams,
 * candidates from an inverted index); the words themselves also go into the script's `learned` field of the
 * ScriptIndex (word → script associations, weighted by BM25). Learning one send touches only that message's terms.
 */
export class LearnedStore {
  private readonly lambda: number;
  private readonly entries: Entry[] = [];
  private readonly texts: string[] = [];
  private readonly entryByText = new Map<string, number>();
  private readonly postings = new Map<string, number[]>();
  /** scriptId → entries holding it (for deletion and discount). */
  private readonly entriesOfScript = new Map<string, Set<number>>();
  private readonly pairs: LearnedPair[] = [];
  private readonly pairsOfScript = new Map<string, number[]>();
  private accumulator = new Float64Array(1024);

  constructor(halfLifeDays: number) {
    this.lambda = Math.LN2 / (halfLifeDays * DAY_MS);
  }

  get pairCount(): number {
    return this.pairs.length;
  }

  get messageCount(): number {
    return this.entries.length;
  }

  /** A send's stored (epoch-scaled) mass. */
  scale(at: number): number {
    return Math.exp(this.lambda * (at - EPOCH));
  }

  /** The factor turning stored masses into masses decayed to `now`. */
  decay(now: number): number {
    return Math.exp(-this.lambda * (now - EPOCH));
  }

  /** Learns a send; `analysis` is the message's query-mode analysis (computed once by the caller). */
  learn(pair: LearnedPair, analysis: Analysis): void {
    const index = this.pairs.length;
    this.pairs.push(pair);
    let list = this.pairsOfScript.get(pair.scriptId);
    if (!list) this.pairsOfScript.set(pair.scriptId, (list = []));
    list.push(index);
    this.apply(pair.message, analysis, pair.scriptId, pair.weight * this.scale(pair.at));
  }

  private apply(message: string, a: Analysis, scriptId: string, mass: number): void {
    if (mass === 0 || a.intentless) return;
    const key = a.normalized;
    let id = this.entryByText.get(key);
    if (id === undefined) {
      id = this.entries.length;
      const terms = [...new Set([...a.words, ...a.bigrams])];
      this.entries.push({ terms, scripts: new Map(), total: 0 });
      this.texts.push(message);
      this.entryByText.set(key, id);
      for (const t of terms) {
        let p = this.postings.get(t);
        if (!p) this.postings.set(t, (p = []));
        p.push(id);
      }
    }
    const entry = this.entries[id]!;
    entry.scripts.set(scriptId, (entry.scripts.get(scriptId) ?? 0) + mass);
    entry.total += mass;
    let owned = this.entriesOfScript.get(scriptId);
    if (!owned) this.entriesOfScript.set(scriptId, (owned = new Set()));
    owned.add(id);
  }

  /**
   * Multiplies what was learned for a script by `factor` (0 forgets it: the script was deleted or rewritten).
   * Cost: that script's learned messages.
   */
  discount(scriptId: string, factor: number): void {
    const owned = this.entriesOfScript.get(scriptId);
    if (owned) {
      for (const id of owned) {
        const entry = this.entries[id]!;
        const mass = entry.scripts.get(scriptId) ?? 0;
        const removed = mass * (1 - factor);
        if (factor === 0) entry.scripts.delete(scriptId);
        else entry.scripts.set(scriptId, mass * factor);
        entry.total = Math.max(0, entry.total - removed);
      }
      if (factor === 0) this.entriesOfScript.delete(scriptId);
    }
    const indices = this.pairsOfScript.get(scriptId) ?? [];
    for (const i of indices) this.pairs[i] = { ...this.pairs[i]!, weight: this.pairs[i]!.weight * factor };
    if (factor === 0) this.pairsOfScript.delete(scriptId);
  }

  /** Pairs with a weight above zero, in learning order. */
  exportPairs(): LearnedPair[] {
    return this.pairs.filter((p) => p.weight > 0);
  }

  /** Inverse frequency of a term among learned messages. */
  private idf(term: string): number {
    const n = this.entries.length;
    const df = this.postings.get(term)?.length ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Learned vocabulary (words and bigrams), for homophone lookup. */
  terms(): IterableIterator<string> {
    return this.postings.keys();
  }

  has(term: string): boolean {
    return this.postings.has(term);
  }

  /**
   * Votes per script for a query given as weighted terms (words and bigrams only). `isLive` filters out scripts
   * that no longer exist.
   */
  vote(query: Map<string, number>, now: number, isLive: (id: string) => boolean): Map<string, LearnedVote> {
    const votes = new Map<string, LearnedVote>();
    if (this.entries.length === 0) return votes;
    const decay = this.decay(now);
    if (this.accumulator.length < this.entries.length) this.accumulator = new Float64Array(this.entries.length * 2);
    const acc = this.accumulator;
    const touched: number[] = [];
    const weightOf = new Map<string, number>();
    let querySum = 0;
    for (const [term, qw] of query) {
      if (term.startsWith('c:')) continue;
      const w = qw * this.idf(term);
      weightOf.set(term, w);
      querySum += w;
    }
    // Dice ≥ MIN_SIMILARITY needs a shared weight of at least MIN_SIMILARITY / 2 of the query's: terms are taken
    // heaviest first, and once the terms left cannot reach that share alone, they only add to messages already hit.
    const needed = (MIN_SIMILARITY / 2) * querySum;
    let remaining = querySum;
    for (const [term, w] of [...weightOf].sort((x, y) => y[1] - x[1])) {
      const list = this.postings.get(term);
      const fresh = remaining >= needed;
      remaining -= w;
      if (!list) continue;
      if (!fresh && touched.length * 16 < list.length) {
        // Cheaper to ask the messages already hit than to walk a common term's long list.
        for (const id of touched) if (this.entries[id]!.terms.includes(term)) acc[id]! += w;
        continue;
      }
      for (const id of list) {
        if (acc[id] === 0) {
          if (!fresh) continue;
          touched.push(id);
        }
        acc[id]! += w;
      }
    }
    if (touched.length === 0 || querySum === 0) return votes;
    const candidates = touched
      .filter((id) => acc[id]! >= needed)
      .map((id) => ({ id, overlap: acc[id]! }))
      .sort((x, y) => y.overlap - x.overlap)
      .slice(0, 40);
    for (const id of touched) acc[id] = 0;

    // Weighted Dice: shared weight over both messages' weight (a term of the learned message the query lacks counts
    // with its own importance).
    const neighbours: { id: number; sim: number }[] = [];
    for (const { id, overlap } of candidates) {
      const entry = this.entries[id]!;
      let entrySum = 0;
      for (const t of entry.terms) entrySum += weightOf.get(t) ?? this.idf(t) * termWeight(t, 'rank');
      const sim = (2 * overlap) / (querySum + entrySum);
      if (sim >= MIN_SIMILARITY) neighbours.push({ id, sim });
    }
    neighbours.sort((a, b) => b.sim - a.sim);
    const miss = new Map<string, number>();
    const example = new Map<string, { sim: number; id: number }>();
    for (const { id, sim } of neighbours.slice(0, 10)) {
      const entry = this.entries[id]!;
      if (entry.total <= 0) continue;
      const conf = confidence(entry.total * decay);
      for (const [scriptId, mass] of entry.scripts) {
        if (!isLive(scriptId)) continue;
        const share = mass / entry.total;
        const p = Math.pow(sim, 1.5) * share * conf;
        miss.set(scriptId, (miss.get(scriptId) ?? 1) * (1 - 0.95 * p));
        const best = example.get(scriptId);
        if (!best || sim * share > best.sim) example.set(scriptId, { sim: sim * share, id });
      }
    }
    for (const [scriptId, m] of miss) {
      votes.set(scriptId, { neighbours: 1 - m, example: this.texts[example.get(scriptId)!.id]! });
    }
    return votes;
  }
}
