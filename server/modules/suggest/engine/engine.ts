import { analyze, BIGRAM, CHAR, termCounts, type Analysis } from './analyze.js';
import { LearnedStore, type LearnedVote } from './learned-store.js';
import { PARAPHRASES } from './paraphrases.js';
import { pinyinKey } from './normalize.js';
import { ScriptIndex } from './script-index.js';
import type {
  EngineOptions,
  LearnedPair,
  LearnedState,
  LearnEvent,
  ScriptDoc,
  SearchHit,
  Suggestion,
  SuggestInput,
} from './types.js';
import { termWeight, type WeightMode } from './weights.js';

/** Default abstention threshold on the 0..1 score, calibrated on the demo business's labelled set. */
export const DEFAULT_THRESHOLD = 0.04;
/**
 * The threshold applies as is to nothing; a message that asks, wants or reports something (a question word, 想,
 * 连不上: see ASKING_CUE) needs half of it, a statement (刚下班，累死了; 滤芯红灯了) twice it. Calibrated on the
 * demo set: questions are almost never chit-chat, statements often are.
 */
const QUESTION_FACTOR = 0.5;
const STATEMENT_FACTOR = 2;
/**
 * A statement holding a social formula (好的，我跟老板汇报一下; 行，那我晚点过去; 没事了，已经解决了) closes or defers
 * the conversation far more often than it asks: it needs this many times the threshold.
 */
const FORMULA_STATEMENT_FACTOR = 7;
/**
 * For a statement, what the team taught (learned fields, neighbours) counts this much towards the abstention
 * decision: a remark that only resembles what customers once wrote before a script (刚吃完饭 after 刚交房, 周末愉快
 * after 周末能上门吗) is small talk more often than a request. Questions count it fully. 0.6: no change on the demo
 * and dental sets (0.5 cost the dental set's learned recall@3 1.6 points).
 */
const STATEMENT_TAUGHT_FACTOR = 0.6;
/** Weight of the earlier messages (the one just before the last, then older): context, never the topic. */
const CONTEXT_WEIGHTS = [0.35, 0.2, 0.1];
/** A word typed with the wrong characters of the same sound (运废 → 运费) counts a little less than the word. */
const HOMOPHONE_WEIGHT = 0.8;
/** A paraphrase of a common question (多少钱 → 价格) counts half. */
const PARAPHRASE_WEIGHT = 0.5;
/** How much the earlier messages' match adds to a script the last message already matches. */
const CONTEXT_BOOST = 1.5;
/**
 * A second or third suggestion must reach this share of the first one's score (0.2 before: on the demo and dental
 * sets 0.1 loses no first place and puts a few more right answers in second or third place).
 */
const RUNNER_UP_SHARE = 0.1;
/** How much a runner-up's score is discounted for matching only words the suggestions before it matched. */
const DIVERSITY: number = 0.3;
/** The text-score scale's floor, in informative words (see `ceiling`). */
const MIN_CEILING_WORDS = 1.2;
/**
 * Weight, relative to the word, of the pieces of a message's word that neither the scripts nor the team ever used:
 * its character when it is a single one, its bigrams otherwise (normally 0.4 and 0.45 of a word's weight: backoff
 * terms). Chosen on demo + other (single character 0.5…1.2 and bigrams 0.5…1 tried).
 */
const UNKNOWN_CHAR_BACKOFF = 1;
const UNKNOWN_BIGRAM_BACKOFF = 0.8;
const HAN = /\p{Script=Han}/u;

interface QueryTerms {
  /** Every weighted term: last message, its homophone corrections, earlier messages. */
  weights: Map<string, number>;
  /** Terms of the last message (and their corrections) only: what the score's coverage is measured against. */
  last: Map<string, number>;
  /** Terms of the earlier messages only (not in the last one), weighted down with distance. */
  context: Map<string, number>;
  /** The last message's terms weighted for the abstention decision (see weights.ts). */
  gate: Map<string, number>;
  analysis: Analysis;
}

function dice(a: Set<string>, b: Set<string>): number {
  if (a.size + b.size === 0) return 1;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return (2 * shared) / (a.size + b.size);
}

/**
 * The customer's own words behind a match, for the reason: the longest stretches of the message covered by matched
 * words and bigrams (扫地 + 地机 + 机器人 → 扫地机器人), in order of length; matched words that are not in the
 * message as typed (a homophone correction, a paraphrase) follow.
 */
function matchedSpans(message: string, matched: string[]): string[] {
  const chars = [...message];
  const covered = new Array<boolean>(chars.length).fill(false);
  const extra: string[] = [];
  for (const m of new Set(matched)) {
    const at = message.indexOf(m);
    if (at < 0) {
      extra.push(m);
      continue;
    }
    const start = [...message.slice(0, at)].length;
    for (let i = 0; i < [...m].length; i++) covered[start + i] = true;
  }
  const spans: string[] = [];
  let current = '';
  chars.forEach((ch, i) => {
    if (covered[i]) current += ch;
    else if (current) {
      spans.push(current);
      current = '';
    }
  });
  if (current) spans.push(current);
  return [
    ...new Set([
      ...spans.filter((s) => [...s].length >= 2 || /[a-z0-9]/.test(s)).sort((a, b) => b.length - a.length),
      ...extra,
    ]),
  ];
}

function quote(words: string[]): string {
  return words.map((w) => `「${w}」`).join('');
}

/**
 * The suggestion engine of one corp: its scripts and what its reps taught it. Pure and synchronous — no database,
 * no web framework. The product keeps one instance per corp, feeds it script changes and sends as they happen, and
 * persists `exportLearned()` (or the pairs `learn` returns, append-only).
 */
export class SuggestionEngine {
  private readonly index = new ScriptIndex();
  private readonly learned: LearnedStore;
  private readonly threshold: number;
  /** pinyin key → vocabulary words (≥ 2 Han characters) spelling it. */
  private readonly homophones = new Map<string, Set<string>>();

  constructor(options: EngineOptions = {}) {
    this.learned = new LearnedStore(options.halfLifeDays ?? 90);
    this.threshold = options.threshold ?? DEFAULT_THRESHOLD;
  }

  get scriptCount(): number {
    return this.index.size;
  }

  get learnedCount(): number {
    return this.learned.pairCount;
  }

  /** A script as indexed (for rerankers and display), undefined when unknown. */
  script(id: string): ScriptDoc | undefined {
    return this.index.byId.get(String(id))?.doc;
  }

  /** Registers vocabulary words as homophone targets (words only: a bigram across two words spells nothing). */
  private addHomophones(terms: Iterable<string>): void {
    for (const term of terms) {
      if (term.startsWith(CHAR) || term.startsWith(BIGRAM)) continue;
      const word = term;
      if ([...word].length < 2 || !/\p{Script=Han}/u.test(word)) continue;
      const key = pinyinKey(word);
      if (!key) continue;
      let set = this.homophones.get(key);
      if (!set) this.homophones.set(key, (set = new Set()));
      set.add(term);
    }
  }

  /**
   * Adds or replaces a script. When an edit changes the script's words substantially, what was learned for it is
   * discounted (Dice similarity of title + content words ≥ 0.6: kept; ≥ 0.3: halved; below: forgotten); the factor
   * applied is returned so the product can apply it to its persisted pairs (`weight *= learnedFactor`).
   */
  upsertScript(doc: ScriptDoc): { learnedFactor: number } {
    const normalized: ScriptDoc = { ...doc, id: String(doc.id) };
    const previous = this.index.byId.get(normalized.id);
    let learnedFactor = 1;
    if (previous) {
      const similarity = dice(previous.words, ScriptIndex.topicWords(normalized));
      learnedFactor = similarity >= 0.6 ? 1 : similarity >= 0.3 ? 0.5 : 0;
    }
    this.index.upsert(normalized, learnedFactor);
    const a = analyze(
      [normalized.title, normalized.group, normalized.content, ...(normalized.keywords ?? [])].join(' '),
    );
    this.addHomophones([...a.words, ...a.bigrams]);
    if (learnedFactor < 1) this.learned.discount(normalized.id, learnedFactor);
    return { learnedFactor };
  }

  /** Deletes a script; what was learned for it is forgotten. */
  removeScript(id: string): void {
    if (this.index.remove(String(id))) this.learned.discount(String(id), 0);
  }

  private learnPair(pair: LearnedPair, a: Analysis): void {
    const before = this.learned.messageCount;
    this.learned.learn(pair, a);
    this.index.addLearned(pair.scriptId, termCounts(a), pair.weight * this.learned.scale(pair.at));
    if (this.learned.messageCount > before) this.addHomophones([...a.words, ...a.bigrams]);
  }

  /**
   * Learns one send: the customer's message before a rep sent a script. Returns the pair to persist, or null when
   * the script is unknown (deleted) or the message asked nothing (thanks, emoji).
   */
  learn(event: LearnEvent): LearnedPair | null {
    const scriptId = String(event.scriptId);
    if (!this.index.byId.has(scriptId)) return null;
    const a = analyze(event.message, { query: true });
    if (a.intentless) return null;
    const pair: LearnedPair = { message: event.message, scriptId, at: event.at, weight: 1 };
    this.learnPair(pair, a);
    return pair;
  }

  /** Restores persisted pairs (after the scripts are loaded). Pairs of unknown scripts are skipped. */
  loadLearned(state: LearnedState): void {
    for (const pair of state.pairs) {
      const scriptId = String(pair.scriptId);
      if (!this.index.byId.has(scriptId) || !(pair.weight > 0)) continue;
      const a = analyze(pair.message, { query: true });
      if (!a.intentless) this.learnPair({ ...pair, scriptId }, a);
    }
  }

  exportLearned(): LearnedState {
    return { version: 1, pairs: this.learned.exportPairs() };
  }

  private known(term: string): boolean {
    return this.index.has(term) || this.learned.has(term);
  }

  /** Homophone corrections of the words and bigrams of a message that neither the scripts nor the team ever used. */
  private corrections(a: Analysis): string[] {
    const out: string[] = [];
    for (const term of [...a.words, ...a.bigrams]) {
      if (this.known(term)) continue;
      const word = term.startsWith(BIGRAM) ? term.slice(BIGRAM.length) : term;
      if ([...word].length < 2) continue;
      const key = pinyinKey(word);
      const found = key ? this.homophones.get(key) : undefined;
      if (!found) continue;
      for (const t of found) if (t !== term && this.known(t)) out.push(t);
    }
    return out;
  }

  /** Words of the scripts or of learned messages that paraphrase a common question found in the text. */
  private paraphrases(normalized: string): string[] {
    const out: string[] = [];
    for (const group of PARAPHRASES) {
      if (!group.some((p) => normalized.includes(p))) continue;
      for (const p of group) if (!normalized.includes(p) && this.known(p)) out.push(p);
    }
    return out;
  }

  /** A message's weighted terms: its own, their homophone corrections, paraphrases of its common questions. */
  private messageTerms(analysis: Analysis, mode: WeightMode): Map<string, number> {
    const terms = new Map<string, number>();
    const add = (term: string, factor: number) => {
      terms.set(term, Math.max(terms.get(term) ?? 0, factor * termWeight(term, mode)));
    };
    for (const t of [...analysis.words, ...analysis.bigrams, ...analysis.chars]) add(t, 1);
    // A word neither the scripts nor the team ever used backs off to its pieces at (nearly) the word's own weight:
    // a single character (卡 in 上课一直卡 → 卡顿) to that character, a longer word to its bigrams.
    for (const word of analysis.words) {
      if (this.known(word) || !HAN.test(word)) continue;
      const cs = [...word];
      const w = termWeight(word, mode);
      if (cs.length === 1) {
        const c = CHAR + word;
        if (this.known(c)) terms.set(c, Math.max(terms.get(c) ?? 0, UNKNOWN_CHAR_BACKOFF * w));
        continue;
      }
      for (let i = 0; i + 1 < cs.length; i++) {
        const b = BIGRAM + cs[i]! + cs[i + 1]!;
        const current = terms.get(b);
        if (current !== undefined && this.known(b)) terms.set(b, Math.max(current, UNKNOWN_BIGRAM_BACKOFF * w));
      }
    }
    const corrections = this.corrections(analysis);
    for (const t of corrections) add(t, HOMOPHONE_WEIGHT);
    const corrected = [analysis.normalized, ...corrections.filter((t) => !t.startsWith(BIGRAM))].join(' ');
    for (const t of this.paraphrases(corrected)) if (!terms.has(t)) add(t, PARAPHRASE_WEIGHT);
    return terms;
  }

  private queryTerms(messages: readonly string[]): QueryTerms | null {
    const lastText = messages[messages.length - 1];
    if (lastText === undefined) return null;
    const analysis = analyze(lastText, { query: true });
    if (analysis.intentless) return null;
    const last = this.messageTerms(analysis, 'rank');
    const gate = this.messageTerms(analysis, 'gate');
    const add = (map: Map<string, number>, term: string, w: number) => map.set(term, Math.max(map.get(term) ?? 0, w));
    const context = new Map<string, number>();
    for (let d = 1; d <= CONTEXT_WEIGHTS.length; d++) {
      const text = messages[messages.length - 1 - d];
      if (text === undefined) break;
      const a = analyze(text, { query: true });
      const f = CONTEXT_WEIGHTS[d - 1]!;
      for (const t of [...a.words, ...a.bigrams, ...a.chars, ...this.corrections(a)]) {
        if (!last.has(t)) add(context, t, f * termWeight(t, 'rank'));
      }
    }
    const weights = new Map([...context, ...last]);
    return { weights, last, context, gate, analysis };
  }

  /**
   * The 0..1 scale of text scores: the best score the last message's terms could reach (every term in a title),
   * but never below what one informative word would reach — a message whose only topic word is vague (今天, 货)
   * cannot score as high as one that names its topic (运费).
   */
  private ceiling(last: Map<string, number>): number {
    let sum = 0;
    for (const [term, w] of last) sum += w * Math.max(this.index.idf(term), 0.5) * ScriptIndex.MAX_SATURATION;
    const oneWord = MIN_CEILING_WORDS * Math.log(1 + this.index.size) * ScriptIndex.MAX_SATURATION;
    return Math.max(sum, oneWord);
  }

  /**
   * Up to `limit` (3) scripts for the customer's latest message, best first, or none when nothing fits (thanks,
   * greetings, acknowledgements, emoji, chit-chat, or no script close enough).
   */
  suggest(input: SuggestInput): Suggestion[] {
    const limit = input.limit ?? 3;
    const now = input.now ?? Date.now();
    const query = this.queryTerms(input.messages);
    if (!query || this.index.size === 0) return [];

    const ceiling = this.ceiling(query.last);
    this.index.decay = this.learned.decay(now);
    // The last message chooses the candidates; earlier messages only reorder those (a script that matches the
    // context alone is the previous question's answer, not this one's).
    const own = this.index.score(query.last, 50);
    const contextScore = this.index.scoreSlots(
      query.context,
      own.map((m) => m.slot),
    );
    const textScore = new Map<string, number>();
    for (const m of own) {
      const score = m.score + CONTEXT_BOOST * (contextScore.get(m.slot) ?? 0);
      textScore.set(this.index.bySlot[m.slot]!.doc.id, Math.min(1, score / ceiling));
    }

    const votes = this.learned.vote(query.last, now, (id) => this.index.byId.has(id));
    const candidates = new Set([...textScore.keys(), ...votes.keys()]);
    const scored: { id: string; score: number; text: number; neighbours: number }[] = [];
    for (const id of candidates) {
      const text = textScore.get(id) ?? 0;
      const neighbours = votes.get(id)?.neighbours ?? 0;
      scored.push({ id, score: 1 - (1 - 0.9 * text) * (1 - neighbours), text, neighbours });
    }
    scored.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
    if (!this.fits(query, scored.slice(0, 3))) return [];
    // The next ones may be weaker than the best, but not far behind it.
    const top = scored[0]?.score ?? 0;
    const floor = Math.max(this.threshold / 3, top * RUNNER_UP_SHARE);
    return this.diversify(
      scored.filter((s) => s.score >= floor),
      query,
      limit,
    ).map((s) => {
      const explained = this.explain(s.id, query, s.text, votes.get(s.id));
      return { scriptId: s.id, score: Math.round(s.score * 1000) / 1000, ...explained };
    });
  }

  /**
   * The first suggestion is the best score; each next one is the best score discounted by how much of its text
   * evidence repeats words the ones before it already matched (MMR-like). When the top candidates all match only
   * the product a customer named (扫地机: its page, its price, its pictures), a script that matches the rest of the
   * message (坏了, 开不了机) gets a place among the three.
   */
  private diversify<T extends { id: string; score: number; text: number; neighbours: number }>(
    pool: T[],
    query: QueryTerms,
    limit: number,
  ): T[] {
    // A candidate scoring below (1 − DIVERSITY) of the limit-th best cannot overtake it: left out.
    const reach = (1 - DIVERSITY) * (pool[Math.min(limit, pool.length) - 1]?.score ?? 0);
    const candidates = pool.filter((c) => c.score >= reach).slice(0, 12);
    if (DIVERSITY === 0 || candidates.length <= limit) return candidates.slice(0, limit);
    const weighted = this.index.weighted(query.last);
    const cache = new Map<string, { term: string; value: number }[]>();
    const matched = (c: T) => {
      let found = cache.get(c.id);
      if (!found) cache.set(c.id, (found = this.index.matched(weighted, this.index.byId.get(c.id)!.slot)));
      return found;
    };
    const covered = new Set<string>();
    const picked: T[] = [];
    while (picked.length < limit && candidates.length > 0) {
      let best = 0;
      let bestScore = -Infinity;
      candidates.forEach((c, i) => {
        let adjusted = c.score;
        if (picked.length > 0) {
          let total = 0;
          let repeated = 0;
          for (const { term, value } of matched(c)) {
            total += value;
            if (covered.has(term)) repeated += value;
          }
          const textShare = (0.9 * c.text) / Math.max(1e-9, 0.9 * c.text + c.neighbours);
          if (total > 0) adjusted *= 1 - DIVERSITY * (repeated / total) * textShare;
        }
        if (adjusted > bestScore + 1e-12) {
          bestScore = adjusted;
          best = i;
        }
      });
      const [chosen] = candidates.splice(best, 1);
      picked.push({ ...chosen!, score: Math.min(chosen!.score, bestScore) });
      for (const { term } of matched(chosen!)) covered.add(term);
    }
    return picked;
  }

  /**
   * Abstention: does anything fit? The best candidates' text evidence is re-weighed in `gate` mode (informative
   * words only) on the same 0..1 scale; learned neighbours count as they are for a question, less for a statement.
   */
  private fits(query: QueryTerms, best: { id: string; neighbours: number }[]): boolean {
    const ceiling = this.ceiling(query.gate);
    const { asking, formulaic } = query.analysis;
    const taughtFactor = asking ? 1 : STATEMENT_TAUGHT_FACTOR;
    let evidence = 0;
    for (const c of best) {
      const slot = this.index.byId.get(c.id)!.slot;
      let text = 0;
      for (const { term, value } of this.index.contributions(query.gate, slot)) {
        const share = taughtFactor === 1 ? 0 : this.index.learnedShare(term, slot);
        text += value * (1 - share + share * taughtFactor);
      }
      const neighbours = c.neighbours * taughtFactor;
      evidence = Math.max(evidence, 1 - (1 - 0.9 * Math.min(1, text / ceiling)) * (1 - neighbours));
    }
    const factor = asking ? QUESTION_FACTOR : formulaic ? FORMULA_STATEMENT_FACTOR : STATEMENT_FACTOR;
    return evidence >= this.threshold * factor;
  }

  /** The reason shown to the rep, and which evidence ranked the script. */
  private explain(
    id: string,
    query: QueryTerms,
    text: number,
    vote: LearnedVote | undefined,
  ): { reason: string; source: Suggestion['source'] } {
    const slot = this.index.byId.get(id)!.slot;
    const contributions = this.index.contributions(query.weights, slot);
    let own = 0;
    let taught = 0;
    for (const c of contributions) {
      const share = this.index.learnedShare(c.term, slot);
      taught += c.value * share;
      own += c.value * (1 - share);
    }
    const display = (t: string) => (t.startsWith(BIGRAM) ? t.slice(BIGRAM.length) : t);
    const parts: string[] = [];
    const textual = contributions.filter(
      (c) => !c.term.startsWith(CHAR) && this.index.learnedShare(c.term, slot) < 0.5,
    );
    const shown = matchedSpans(
      query.analysis.normalized,
      textual.filter((c) => query.last.has(c.term)).map((c) => display(c.term)),
    );
    if (text >= 0.05 && shown.length > 0) parts.push(`匹配${quote(shown.slice(0, 2))}`);
    const context = textual.find((c) => query.context.has(c.term) && !c.term.startsWith(BIGRAM));
    if (text >= 0.05 && context) parts.push(`结合上文${quote([display(context.term)])}`);
    const neighbours = vote?.neighbours ?? 0;
    const learnedText = text * (own + taught > 0 ? taught / (own + taught) : 0);
    if (neighbours >= 0.25 && vote) {
      const example = vote.example.length > 12 ? `${vote.example.slice(0, 12)}…` : vote.example;
      parts.push(`同事回复过相似问题「${example}」`);
    } else if (learnedText >= 0.05 || neighbours > 0.05) {
      parts.push('同事常这样回复');
    }
    if (parts.length === 0) parts.push('与问题相近');
    const fromTeam = neighbours + learnedText;
    const fromText = text - learnedText;
    const source = fromTeam >= 0.05 && fromText >= 0.05 ? 'both' : fromTeam > fromText ? 'learned' : 'text';
    return { reason: parts.join('，'), source };
  }

  /**
   * Sidebar search: scripts ranked for a typed query (运费多少 → the shipping scripts first). Same segmentation as
   * suggestions; a verbatim substring of the title or content ranks first. Empty query → nothing.
   */
  search(q: string, limit = 20): SearchHit[] {
    const a = analyze(q);
    if (a.words.length + a.bigrams.length + a.chars.length === 0) return [];
    const weights = this.messageTerms(a, 'rank');
    const needle = a.normalized.replace(/\s+/g, '');
    const hits: SearchHit[] = [];
    for (const m of this.index.score(weights, Math.max(limit * 3, 50))) {
      const entry = this.index.bySlot[m.slot]!;
      const contributions = this.index.contributions(weights, m.slot);
      const matched = [
        ...new Set(contributions.filter((c) => !c.term.startsWith(CHAR)).map((c) => c.term.replace(BIGRAM, ''))),
      ];
      // Single shared characters alone are no match for a search.
      if (matched.length === 0 && contributions.length < [...needle].length) continue;
      let score = m.score;
      if (needle.length > 0) {
        if (entry.doc.title.toLowerCase().includes(needle)) score += 10;
        else if ((entry.doc.content ?? '').toLowerCase().includes(needle)) score += 5;
      }
      hits.push({ scriptId: entry.doc.id, score: Math.round(score * 1000) / 1000, matched });
    }
    hits.sort((x, y) => y.score - x.score || x.scriptId.localeCompare(y.scriptId));
    return hits.slice(0, limit);
  }
}

/** Builds a corp's engine from its scripts and, when given, its persisted learned pairs. */
export function createSuggestionEngine(init: {
  scripts: Iterable<ScriptDoc>;
  learned?: LearnedState;
  options?: EngineOptions;
}): SuggestionEngine {
  const engine = new SuggestionEngine(init.options);
  for (const s of init.scripts) engine.upsertScript(s);
  if (init.learned) engine.loadLearned(init.learned);
  return engine;
}
