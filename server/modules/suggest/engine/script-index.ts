import { analyze, BIGRAM, CHAR, termCounts } from './analyze.js';
import type { ScriptDoc } from './types.js';

/**
 * Fields in index order, with their BM25F weight and length normalisation. `learned` is the document expansion
 * learned from the team: the customer messages after which reps sent the script, each counted with its decayed
 * weight (a script's own words, plus how customers actually ask for it).
 */
const FIELDS = ['title', 'keywords', 'group', 'content', 'learned'] as const;
const FIELD_WEIGHT = [3, 3, 1.2, 1, 3];
const FIELD_B = [0.5, 0.3, 0.2, 0.75, 0.5];
const LEARNED = 4;
const K1 = 1.2;
/** Candidates of the selective terms whose scores the common terms complete (large libraries only). */
const SHORTLIST = 100;
/**
 * Exponent of a learned term's specificity (see `learnedSpecificity`). Chosen on demo + other (0.5, 1 and 2 tried:
 * 0.5 keeps demo and puts two more right answers of the dental set among the first three).
 */
const SPECIFICITY = 0.5;

export interface IndexedScript {
  doc: ScriptDoc;
  slot: number;
  /** Field lengths in terms. */
  lengths: number[];
  /** Topic words of title and content, to compare an edit with the previous version. */
  words: Set<string>;
  /** term → per-field counts (the learned field: epoch-scaled masses, see LearnedStore); shared with the postings. */
  tf: Map<string, number[]>;
  /** Has a learned field. */
  learned: boolean;
  /** Per-field BM25F factors (weight over length normalisation), valid for `factorsVersion`. */
  factors: Float64Array;
  factorsVersion: number;
}

/** A term's postings: parallel arrays, iterated by index (much faster than a Map on the hot path). */
interface Postings {
  slots: number[];
  tfs: number[][];
}

export interface LexicalMatch {
  slot: number;
  score: number;
}

/**
 * A BM25F index over the scripts' title, keywords, group and content, updated one script at a time (add, replace,
 * remove) — no rebuild. Postings keep the raw per-field counts; normalisation uses the current average lengths.
 */
export class ScriptIndex {
  readonly byId = new Map<string, IndexedScript>();
  readonly bySlot: (IndexedScript | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private readonly postings = new Map<string, Postings>();
  private readonly lengthSums = [0, 0, 0, 0, 0];
  /**
   * Average field lengths used for normalisation: replaced only when the true averages drift by more than 2 %, so
   * each script's factors are computed once per drift, not per posting (BM25 hardly moves with such a drift).
   */
  private averages = [1, 1, 1, 1, 1];
  private averagesVersion = 0;
  /** Scripts with a learned field (its average length is over them). */
  private learnedDocs = 0;
  /** term → scripts whose learned field holds it. */
  private readonly learnedDf = new Map<string, number>();
  /** Multiplies stored learned masses into masses decayed to the scoring time; set by the engine per query. */
  decay = 1;
  /** Scratch accumulator, one entry per slot. */
  private scores = new Float64Array(64);

  get size(): number {
    return this.byId.size;
  }

  /** Topic words of a script's title and content (to compare two versions of a script). */
  static topicWords(doc: ScriptDoc): Set<string> {
    return new Set([...analyze(doc.title).words, ...analyze(doc.content ?? '').words]);
  }

  /**
   * Adds or replaces a script. A replaced script keeps its learned field, multiplied by `learnedFactor`.
   */
  upsert(doc: ScriptDoc, learnedFactor = 1): { previous?: IndexedScript; current: IndexedScript } {
    const previous = this.byId.get(doc.id);
    if (previous) this.remove(doc.id);
    const slot = this.freeSlots.pop() ?? this.bySlot.length;
    const texts = [doc.title, (doc.keywords ?? []).join(' '), doc.group ?? '', doc.content ?? ''];
    const lengths = [0, 0, 0, 0, 0];
    const words = new Set<string>();
    const current: IndexedScript = {
      doc,
      slot,
      lengths,
      words,
      tf: new Map(),
      learned: false,
      factors: new Float64Array(5),
      factorsVersion: -1,
    };
    texts.forEach((text, f) => {
      if (!text) return;
      const a = analyze(text);
      if (f === 0 || f === 3) for (const w of a.words) words.add(w);
      lengths[f] = a.words.length + a.bigrams.length * 0.5;
      for (const [term, n] of termCounts(a)) this.posting(current, term)[f] = n;
    });
    for (let f = 0; f < 4; f++) this.lengthSums[f]! += lengths[f]!;
    this.byId.set(doc.id, current);
    this.refreshAverages();
    this.bySlot[slot] = current;
    if (this.scores.length < this.bySlot.length) this.scores = new Float64Array(this.bySlot.length * 2);
    if (previous && learnedFactor > 0 && previous.learned) {
      const carried = new Map<string, number>();
      for (const [term, tf] of previous.tf) if (tf[LEARNED]! > 0) carried.set(term, tf[LEARNED]! * learnedFactor);
      this.addLearned(doc.id, carried, 1);
    }
    return { previous, current };
  }

  private posting(entry: IndexedScript, term: string): number[] {
    let tf = entry.tf.get(term);
    if (tf) return tf;
    entry.tf.set(term, (tf = [0, 0, 0, 0, 0]));
    let list = this.postings.get(term);
    if (!list) this.postings.set(term, (list = { slots: [], tfs: [] }));
    list.slots.push(entry.slot);
    list.tfs.push(tf);
    return tf;
  }

  /** Adds a learned message's terms (counts × mass) to a script's learned field. */
  addLearned(id: string, counts: Map<string, number>, mass: number): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    if (!entry.learned) this.learnedDocs++;
    entry.learned = true;
    let added = 0;
    for (const [term, n] of counts) {
      const m = n * mass;
      const tf = this.posting(entry, term);
      if (tf[LEARNED] === 0 && m > 0) this.learnedDf.set(term, (this.learnedDf.get(term) ?? 0) + 1);
      tf[LEARNED]! += m;
      added += term.startsWith(CHAR) ? 0 : term.startsWith(BIGRAM) ? m * 0.5 : m;
    }
    entry.lengths[LEARNED]! += added;
    this.lengthSums[LEARNED]! += added;
    entry.factorsVersion = -1;
    this.refreshAverages();
  }

  remove(id: string): IndexedScript | undefined {
    const entry = this.byId.get(id);
    if (!entry) return undefined;
    for (const [term, tf] of entry.tf) {
      if (tf[LEARNED]! > 0) {
        const df = (this.learnedDf.get(term) ?? 1) - 1;
        if (df > 0) this.learnedDf.set(term, df);
        else this.learnedDf.delete(term);
      }
      const list = this.postings.get(term);
      if (!list) continue;
      const i = list.slots.indexOf(entry.slot);
      if (i >= 0) {
        list.slots.splice(i, 1);
        list.tfs.splice(i, 1);
      }
      if (list.slots.length === 0) this.postings.delete(term);
    }
    for (let f = 0; f < 5; f++) this.lengthSums[f]! -= entry.lengths[f]!;
    if (entry.learned) this.learnedDocs--;
    this.byId.delete(id);
    this.bySlot[entry.slot] = undefined;
    this.freeSlots.push(entry.slot);
    this.refreshAverages();
    return entry;
  }

  has(term: string): boolean {
    return this.postings.has(term);
  }

  documentFrequency(term: string): number {
    return this.postings.get(term)?.slots.length ?? 0;
  }

  idf(term: string): number {
    const n = this.byId.size;
    const df = this.documentFrequency(term);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /**
   * How specific a learned term is to the scripts the team taught it for, 0..1: its inverse frequency among the
   * scripts with a learned field, relative to that of a term taught for one script only, to the power SPECIFICITY.
   * It multiplies the term's learned count: the frame of a question (怎么办, 多少, 很痛吗) that customers use before
   * many scripts carries less to each of them, a topic taught for one or two scripts keeps its weight. (BM25's own
   * idf counts the scripts' text too and is gentle by design: 怎么办 taught for 10 of 46 scripts still weighs 70 %
   * of 小孩 taught for 5.)
   */
  learnedSpecificity(term: string): number {
    const n = this.learnedDocs;
    const df = this.learnedDf.get(term) ?? 0;
    if (n <= 1 || df === 0) return 1;
    const one = Math.log(1 + (n - 0.5) / 1.5);
    return Math.pow(Math.log(1 + (n - df + 0.5) / (df + 0.5)) / one, SPECIFICITY);
  }

  private refreshAverages(): void {
    const n = Math.max(1, this.byId.size);
    let drifted = false;
    const next = this.lengthSums.map((sum, f) => {
      const avg = Math.max(f === LEARNED ? 1e-300 : 1, sum / (f === LEARNED ? Math.max(1, this.learnedDocs) : n));
      if (Math.abs(avg - this.averages[f]!) > 0.02 * this.averages[f]!) drifted = true;
      return avg;
    });
    if (drifted) {
      this.averages = next;
      this.averagesVersion++;
    }
  }

  private factors(entry: IndexedScript): Float64Array {
    if (entry.factorsVersion !== this.averagesVersion) {
      for (let f = 0; f < 5; f++) {
        const b = FIELD_B[f]!;
        entry.factors[f] = FIELD_WEIGHT[f]! / (1 - b + (b * entry.lengths[f]!) / this.averages[f]!);
      }
      entry.factorsVersion = this.averagesVersion;
    }
    return entry.factors;
  }

  /**
   * Saturated per-document weight of a term, 0..1 (BM25F's tf part, over the fields). Learned masses are
   * epoch-scaled: the length ratio is the same before and after decay, the mass itself is decayed here.
   */
  private saturation(tf: number[], entry: IndexedScript, specificity: number): number {
    const k = this.factors(entry);
    const learned = tf[LEARNED]! * this.decay * specificity;
    const weighted = tf[0]! * k[0]! + tf[1]! * k[1]! + tf[2]! * k[2]! + tf[3]! * k[3]! + learned * k[LEARNED]!;
    return weighted / (weighted + K1);
  }

  /** Share of a term's saturated weight in a script that comes from the learned field (for reasons). */
  learnedShare(term: string, slot: number): number {
    const tf = this.bySlot[slot]?.tf.get(term);
    if (!tf || tf[LEARNED] === 0) return 0;
    const entry = this.bySlot[slot]!;
    const all = this.saturation(tf, entry, this.learnedSpecificity(term));
    const own = this.saturation([tf[0]!, tf[1]!, tf[2]!, tf[3]!, 0], entry, 1);
    return all > 0 ? (all - own) / all : 0;
  }

  /** The best saturation a term can reach: once in a title of average length. */
  static readonly MAX_SATURATION = FIELD_WEIGHT[0]! / (FIELD_WEIGHT[0]! + K1);

  /**
   * Scores the scripts holding query terms. `weights` maps a query term to its weight (importance × kind). Returns
   * matches sorted by score, best first, at most `limit`.
   *
   * Terms that cannot tell scripts apart in a large library (single characters, and any term in more than a fifth
   * of the scripts) do not bring candidates of their own when selective terms found some: they are added to the
   * candidates' scores only, which keeps a query's cost independent of how common its characters are.
   */
  score(weights: Map<string, number>, limit: number): LexicalMatch[] {
    const touched: number[] = [];
    const n = this.byId.size;
    const deferred: [string, number][] = [];
    const selective: [string, number, number][] = [];
    for (const [term, w] of weights) {
      const list = this.postings.get(term);
      if (!list) continue;
      if (n >= 1000 && (term.startsWith(CHAR) || list.slots.length > n / 5)) deferred.push([term, w]);
      else selective.push([term, w, w * this.idf(term)]);
    }
    // Rarest first; in a large library, once the shortlist is full and half the query's weight is in, the other
    // terms only complete the shortlist's scores (MaxScore-like: they cannot lift a script that matched nothing rare
    // above the shortlist).
    selective.sort((x, y) => y[2] - x[2]);
    const total = selective.reduce((sum, t) => sum + t[2], 0);
    let done = 0;
    for (const [term, w, max] of selective) {
      if (n >= 1000 && touched.length >= SHORTLIST && done >= total / 2) {
        deferred.push([term, w]);
        continue;
      }
      this.accumulate(term, w, this.postings.get(term)!, touched);
      done += max;
    }
    if (touched.length < limit) {
      // Too few candidates: common words bring their own, and single characters only if still too few.
      const chars = deferred.filter(([term]) => term.startsWith(CHAR));
      const words = deferred.filter(([term]) => !term.startsWith(CHAR));
      for (const [term, w] of words) this.accumulate(term, w, this.postings.get(term)!, touched);
      if (touched.length >= limit) return this.complete(touched, limit, chars);
      for (const [term, w] of chars) this.accumulate(term, w, this.postings.get(term)!, touched);
      return this.best(touched, limit);
    }
    return this.complete(touched, limit, deferred);
  }

  /** The best candidates so far, their scores completed with the deferred terms. */
  private complete(touched: number[], limit: number, deferred: [string, number][]): LexicalMatch[] {
    // The common terms complete the scores of the best candidates of the selective ones only.
    const shortlist = this.best(touched, Math.max(limit, SHORTLIST));
    for (const [term, w] of deferred) {
      const idf = this.idf(term);
      const specificity = this.learnedSpecificity(term);
      for (const m of shortlist) {
        const entry = this.bySlot[m.slot]!;
        const tf = entry.tf.get(term);
        if (tf) m.score += w * idf * this.saturation(tf, entry, specificity);
      }
    }
    return shortlist.sort((x, y) => y.score - x.score).slice(0, limit);
  }

  /** The `limit` best of the accumulated scores, sorted; clears the accumulator. */
  private best(touched: number[], limit: number): LexicalMatch[] {
    const scores = this.scores;
    let cut = -Infinity;
    if (touched.length > limit) {
      const values = Float64Array.from(touched, (slot) => scores[slot]!).sort();
      cut = values[values.length - limit]!;
    }
    const out: LexicalMatch[] = [];
    for (const slot of touched) if (scores[slot]! >= cut) out.push({ slot, score: scores[slot]! });
    for (const slot of touched) scores[slot] = 0;
    out.sort((x, y) => y.score - x.score);
    return out.slice(0, limit);
  }

  private accumulate(term: string, w: number, list: Postings, touched: number[]): void {
    const scores = this.scores;
    const wIdf = w * this.idf(term);
    const { slots, tfs } = list;
    const bySlot = this.bySlot;
    const decay = this.decay * this.learnedSpecificity(term);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      const tf = tfs[i]!;
      const k = this.factors(bySlot[slot]!);
      const weighted = tf[0]! * k[0]! + tf[1]! * k[1]! + tf[2]! * k[2]! + tf[3]! * k[3]! + tf[4]! * decay * k[4]!;
      if (scores[slot] === 0) touched.push(slot);
      scores[slot]! += (wIdf * weighted) / (weighted + K1);
    }
  }

  /** Scores of given scripts only (the earlier messages' match of the last message's candidates). */
  scoreSlots(weights: Map<string, number>, slots: readonly number[]): Map<number, number> {
    const out = new Map<number, number>();
    for (const [term, w] of weights) {
      if (!this.postings.has(term)) continue;
      const idf = this.idf(term);
      const specificity = this.learnedSpecificity(term);
      for (const slot of slots) {
        const entry = this.bySlot[slot]!;
        const tf = entry.tf.get(term);
        if (tf) out.set(slot, (out.get(slot) ?? 0) + w * idf * this.saturation(tf, entry, specificity));
      }
    }
    return out;
  }

  /** Query terms with their weight × idf, for `matched` (computed once per query, not per script). */
  weighted(weights: Map<string, number>): [string, number, number][] {
    const out: [string, number, number][] = [];
    for (const [term, w] of weights) {
      if (this.postings.has(term)) out.push([term, w * this.idf(term), this.learnedSpecificity(term)]);
    }
    return out;
  }

  /** The terms of `weighted` a script holds and what each adds to its score, unsorted (cheaper than contributions). */
  matched(weighted: readonly [string, number, number][], slot: number): { term: string; value: number }[] {
    const entry = this.bySlot[slot];
    if (!entry) return [];
    const out: { term: string; value: number }[] = [];
    for (const [term, wIdf, specificity] of weighted) {
      const tf = entry.tf.get(term);
      if (tf) out.push({ term, value: wIdf * this.saturation(tf, entry, specificity) });
    }
    return out;
  }

  /** Per-term contributions for one script (reasons and highlighting). */
  contributions(weights: Map<string, number>, slot: number): { term: string; value: number; field: number }[] {
    const entry = this.bySlot[slot];
    if (!entry) return [];
    const out: { term: string; value: number; field: number }[] = [];
    for (const [term, w] of weights) {
      const tf = entry.tf.get(term);
      if (!tf) continue;
      const field = tf.findIndex((c) => c > 0);
      if (field === LEARNED && this.decay * tf[LEARNED]! < 1e-6) continue;
      const value = w * this.idf(term) * this.saturation(tf, entry, this.learnedSpecificity(term));
      out.push({ term, value, field });
    }
    return out.sort((a, b) => b.value - a.value);
  }

  /** Vocabulary terms (words and bigrams), for homophone lookup. */
  terms(): IterableIterator<string> {
    return this.postings.keys();
  }

  static fields(): readonly string[] {
    return FIELDS;
  }
}
