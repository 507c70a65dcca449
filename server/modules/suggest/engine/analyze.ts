import { createRequire } from 'node:module';
import { PHATIC_WORDS, STOP_WORDS } from './lexicon.js';
import { isContentless, normalizeText } from './normalize.js';

interface JiebaLike {
  cut(sentence: string, hmm?: boolean): string[];
  cutForSearch(sentence: string, hmm?: boolean): string[];
}

const require = createRequire(import.meta.url);
let jieba: JiebaLike | undefined;
let generalIdf: Map<string, number> | undefined;

function segmenter(): JiebaLike {
  if (!jieba) {
    const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(d: Uint8Array): JiebaLike } };
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    jieba = Jieba.withDict(dict);
  }
  return jieba;
}

/** Median of jieba's IDF table: the weight of a word the table does not know (new words are informative). */
const UNKNOWN_IDF = 11.5;

/**
 * How informative a word is in Chinese at large (jieba's IDF table, learned from a general corpus): 的 0.9, 价格 4.5,
 * 运费 9.1. It tells a topic word from a filler independently of any business's scripts.
 */
export function generalIdfOf(word: string): number {
  if (!generalIdf) {
    const { idf } = require('@node-rs/jieba/dict') as { idf: Uint8Array };
    generalIdf = new Map();
    const text = Buffer.from(idf).toString('utf8');
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const space = text.indexOf(' ', start);
      if (space > start && space < end) generalIdf.set(text.slice(start, space), Number(text.slice(space + 1, end)));
      start = end + 1;
    }
  }
  return generalIdf.get(word) ?? (/^[a-z0-9]+$/.test(word) ? 6 : UNKNOWN_IDF);
}

/**
 * Loads the segmenter's dictionary and the IDF table (about a second, once per process), so the first suggestion
 * does not pay for it. The product calls it at start.
 */
export function warmUp(): void {
  segmenter();
  generalIdfOf('的');
}

/** Term kinds share one key space: words as they are, character bigrams and single characters with a prefix. */
export const BIGRAM = 'b:';
export const CHAR = 'c:';

export interface Analysis {
  normalized: string;
  /** Topic words: search-mode segmentation (扫地机器人 → 扫地, 机器, 机器人), stop words and social formulas removed. */
  words: string[];
  /** Character bigrams over runs of topic words (backoff for unknown and differently segmented words). */
  bigrams: string[];
  /** Single Han characters of topic words (last resort: 邮费 still shares 费 with 运费). */
  chars: string[];
  /** Every segment of the normalised text, in order (for display and for the intent check). */
  segments: string[];
  /** No topic word: greetings, thanks, acknowledgements, laughter, emoji or punctuation only. */
  intentless: boolean;
}

const HAN = /\p{Script=Han}/u;
const WORDISH = /[\p{Script=Han}\p{L}\p{N}]/u;

function isTopicWord(word: string, dropPhatic: boolean): boolean {
  if (!WORDISH.test(word)) return false;
  if (STOP_WORDS.has(word)) return false;
  if (dropPhatic && PHATIC_WORDS.has(word)) return false;
  return true;
}

/**
 * Normalises and segments a text. `query: true` (customer messages, searches) also drops social formulas
 * (谢谢, 好的, 在吗), which in a script are ordinary words.
 */
export function analyze(input: string, options: { query?: boolean } = {}): Analysis {
  const normalized = normalizeText(input);
  const dropPhatic = options.query === true;
  if (isContentless(normalized)) {
    return { normalized, words: [], bigrams: [], chars: [], segments: [], intentless: true };
  }
  const seg = segmenter();
  const segments = seg.cut(normalized, true).filter((s) => s.trim() !== '');
  const words: string[] = [];
  const chars: string[] = [];
  for (const s of segments) {
    if (!isTopicWord(s, dropPhatic)) continue;
    if (HAN.test(s)) {
      for (const ch of s) if (HAN.test(ch) && !STOP_WORDS.has(ch)) chars.push(CHAR + ch);
      const parts = [...s].length > 2 ? seg.cutForSearch(s, true) : [s];
      for (const p of parts) if (isTopicWord(p, dropPhatic)) words.push(p);
      if (!parts.includes(s)) words.push(s);
    } else {
      words.push(s);
    }
  }
  // Bigrams over whole runs of Han characters, across word boundaries (花呗 cut as 用花|呗 still yields 花呗),
  // except those that are function words or social formulas themselves or made of two function characters.
  const bigrams: string[] = [];
  if (words.length > 0) {
    for (const run of normalized.match(/\p{Script=Han}+/gu) ?? []) {
      const cs = [...run];
      for (let i = 0; i + 1 < cs.length; i++) {
        const pair = cs[i]! + cs[i + 1]!;
        if (STOP_WORDS.has(pair) || (dropPhatic && PHATIC_WORDS.has(pair))) continue;
        if (STOP_WORDS.has(cs[i]!) && STOP_WORDS.has(cs[i + 1]!)) continue;
        bigrams.push(BIGRAM + pair);
      }
    }
  }
  return { normalized, words, bigrams, chars, segments, intentless: words.length === 0 };
}

/** Terms with their counts, every kind in one map. */
export function termCounts(a: Analysis): Map<string, number> {
  const counts = new Map<string, number>();
  for (const list of [a.words, a.bigrams, a.chars]) for (const t of list) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}
