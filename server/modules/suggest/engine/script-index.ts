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

export interface IndexedScript {
  doc: ScriptDoc;
  slot: number;
  /** Field lengths in terms. */
  lengths: number[];
  /** Topic words of title and content, to compare an edit with the previous version. */
  words: Set<string>;
  /** The learned field: term → epoch-scaled mass (see LearnedStore), kept across edits. */
  learned: Map<string, number>;
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
  /** term → slot → per-field counts. */
  private readonly postings = new Map<string, Map<number, number[]>>();
  private readonly lengthSums = [0, 0, 0, 0, 0];
  /** Scripts with a learned field (its average length is over them). */
  private learnedDocs = 0;
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
    texts.forEach((text, f) => {
      if (!text) return;
      const a = analyze(text);
      if (f === 0 || f === 3) for (const w of a.words) words.add(w);
      lengths[f] = a.words.length + a.bigrams.length * 0.5;
      for (const [term, n] of termCounts(a)) this.posting(term, slot)[f] = n;
    });
    for (let f = 0; f < 4; f++) this.lengthSums[f]! += lengths[f]!;
    const current: IndexedScript = { doc, slot, lengths, words, learned: new Map() };
    this.byId.set(doc.id, current);
    this.bySlot[slot] = current;
    if (this.scores.length < this.bySlot.length) this.scores = new Float64Array(this.bySlot.length * 2);
    if (previous && learnedFactor > 0 && previous.learned.size > 0) {
      this.addLearned(doc.id, new Map([...previous.learned].map(([t, m]) => [t, m * learnedFactor])), 1);
    }
    return { previous, current };
  }

  private posting(term: string, slot: number): number[] {
    let list = this.postings.get(term);
    if (!list) this.postings.set(term, (list = new Map()));
    let tf = list.get(slot);
    if (!tf) list.set(slot, (tf = [0, 0, 0, 0, 0]));
    return tf;
  }

  /** Adds a learned message's terms (counts × mass) to a script's learned field. */
  addLearned(id: string, counts: Map<string, number>, mass: number): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    if (entry.learned.size === 0) this.learnedDocs++;
    let added = 0;
    for (const [term, n] of counts) {
      const m = n * mass;
      this.posting(term, entry.slot)[LEARNED]! += m;
      entry.learned.set(term, (entry.learned.get(term) ?? 0) + m);
      added += term.startsWith(CHAR) ? 0 : term.startsWith(BIGRAM) ? m * 0.5 : m;
    }
    entry.lengths[LEARNED]! += added;
    this.lengthSums[LEARNED]! += added;
  }

  remove(id: string): IndexedScript | undefined {
    const entry = this.byId.get(id);
    if (!entry) return undefined;
    const texts = [entry.doc.title, (entry.doc.keywords ?? []).join(' '), entry.doc.group ?? '', entry.doc.content ?? ''];
    const terms = new Set(entry.learned.keys());
    for (const text of texts) if (text) for (const term of termCounts(analyze(text)).keys()) terms.add(term);
    for (const term of terms) {
      const list = this.postings.get(term);
      if (!list) continue;
      list.delete(entry.slot);
      if (list.size === 0) this.postings.delete(term);
    }
    for (let f = 0; f < 5; f++) this.lengthSums[f]! -= entry.lengths[f]!;
    if (entry.learned.size > 0) this.learnedDocs--;
    this.byId.delete(id);
    this.bySlot[entry.slot] = undefined;
    this.freeSlots.push(entry.slot);
    return entry;
  }

  has(term: string): boolean {
    return this.postings.has(term);
  }

  documentFrequency(term: string): number {
    return this.postings.get(term)?.size ?? 0;
  }

  idf(term: string): number {
    const n = this.byId.size;
    const df = this.documentFrequency(term);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Saturated per-document weight of a term, 0..1 (BM25F's tf part, over the fields). */
  private saturation(tf: number[], lengths: number[]): number {
    const n = Math.max(1, this.byId.size);
    let weighted = 0;
    for (let f = 0; f < 4; f++) {
      const c = tf[f]!;
      if (c === 0) continue;
      const avg = Math.max(1, this.lengthSums[f]! / n);
      weighted += (FIELD_WEIGHT[f]! * c) / (1 - FIELD_B[f]! + (FIELD_B[f]! * lengths[f]!) / avg);
    }
    const learned = tf[LEARNED]!;
    if (learned > 0) {
      // Stored masses are epoch-scaled; the length ratio is the same before and after decay.
      const avg = this.lengthSums[LEARNED]! / Math.max(1, this.learnedDocs);
      const norm = avg > 0 ? 1 - FIELD_B[LEARNED]! + (FIELD_B[LEARNED]! * lengths[LEARNED]!) / avg : 1;
      weighted += (FIELD_WEIGHT[LEARNED]! * learned * this.decay) / norm;
    }
    return weighted / (weighted + K1);
  }

  /** Share of a term's saturated weight in a script that comes from the learned field (for reasons). */
  learnedShare(term: string, slot: number): number {
    const tf = this.postings.get(term)?.get(slot);
    if (!tf || tf[LEARNED] === 0) return 0;
    const entry = this.bySlot[slot]!;
    const all = this.saturation(tf, entry.lengths);
    const own = this.saturation([...tf.slice(0, 4), 0], entry.lengths);
    return all > 0 ? (all - own) / all : 0;
  }

  /** The best saturation a term can reach: once in a title of average length. */
  static readonly MAX_SATURATION = FIELD_WEIGHT[0]! / (FIELD_WEIGHT[0]! + K1);

  /**
   * Scores every script holding a query term. `weights` maps a query term to its weight (importance × kind).
   * Returns matches sorted by score, best first, at most `limit`.
   */
  score(weights: Map<string, number>, limit: number): LexicalMatch[] {
    const scores = this.scores;
    const touched: number[] = [];
    for (const [term, w] of weights) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = this.idf(term);
      for (const [slot, tf] of list) {
        const entry = this.bySlot[slot]!;
        if (scores[slot] === 0) touched.push(slot);
        scores[slot]! += w * idf * this.saturation(tf, entry.lengths);
      }
    }
    const out: LexicalMatch[] = touched.map((slot) => ({ slot, score: scores[slot]! }));
    for (const slot of touched) scores[slot] = 0;
    out.sort((a, b) => b.score - a.score);
    return out.slice(0, limit);
  }

  /** Per-term contributions for one script (reasons and highlighting). */
  contributions(weights: Map<string, number>, slot: number): { term: string; value: number; field: number }[] {
    const entry = this.bySlot[slot];
    if (!entry) return [];
    const out: { term: string; value: number; field: number }[] = [];
    for (const [term, w] of weights) {
      const tf = this.postings.get(term)?.get(slot);
      if (!tf) continue;
      const field = tf.findIndex((c) => c > 0);
      if (field === LEARNED && this.decay * tf[LEARNED]! < 1e-6) continue;
      out.push({ term, value: w * this.idf(term) * this.saturation(tf, entry.lengths), field });
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
