import { createRequire } from 'node:module';
import { ADDRESS_WORDS, ASKING_CUE, PHATIC_WORDS, STOP_WORDS } from './lexicon.js';
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
  /** Asks, wants or reports something (a question word, a request, a complaint): see ASKING_CUE. */
  asking: boolean;
  /**
   * Holds a social formula (好的, 行, 收到, 哈哈, 晚点, 没事了…; not the bare pronouns and particles of that list).
   * A statement with one is mostly a conversation's closing or deferring remark (好的，我跟老板汇报一下).
   */
  formulaic: boolean;
}

/** Members of PHATIC_WORDS that are ordinary pronouns and particles, not a formula by themselves. */
const BARE_PARTICLES: ReadonlySet<string> = new Set(['你', '我', '啊', '哦', '呢', '嗯', '在', '对']);

const HAN = /\p{Script=Han}/u;
const WORDISH = /[\p{Script=Han}\p{L}\p{N}]/u;

function isTopicWord(word: string, dropPhatic: boolean): boolean {
  if (!WORDISH.test(word)) return false;
  if (STOP_WORDS.has(word)) return false;
  if (dropPhatic && (PHATIC_WORDS.has(word) || isFormulaic(word))) return false;
  return true;
}

const FUNCTION_OR_PHATIC = (w: string) => STOP_WORDS.has(w) || PHATIC_WORDS.has(w);

/**
 * A segment made only of function words and social formulas (谢谢你, 稍等一下, 好的呀): jieba sometimes keeps such
 * a phrase as one segment. Checked by splitting it into listed pieces (up to 4 characters each).
 */
function isFormulaic(word: string): boolean {
  const cs = [...word];
  if (cs.length < 2 || cs.length > 8) return false;
  const ok = new Array<boolean>(cs.length + 1).fill(false);
  ok[0] = true;
  for (let i = 1; i <= cs.length; i++) {
    for (let j = Math.max(0, i - 4); j < i && !ok[i]; j++) {
      if (ok[j] && FUNCTION_OR_PHATIC(cs.slice(j, i).join(''))) ok[i] = true;
    }
  }
  return ok[cs.length]!;
}

/**
 * Marks runs of two or three segments that together form a social formula jieba split (晚上|好, 谢|啦, 下午|好),
 * so their parts are not taken for topic words.
 */
function phaticRuns(segments: string[]): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < segments.length; i++) {
    for (const n of [3, 2]) {
      if (i + n > segments.length) continue;
      const joined = segments.slice(i, i + n).join('');
      if (PHATIC_WORDS.has(joined)) {
        for (let k = i; k < i + n; k++) out.add(k);
        break;
      }
    }
  }
  return out;
}

/**
 * Normalises and segments a text. `query: true` (customer messages, searches) also drops social formulas
 * (谢谢, 好的, 在吗), which in a script are ordinary words.
 */
export function analyze(input: string, options: { query?: boolean } = {}): Analysis {
  const normalized = normalizeText(input);
  const dropPhatic = options.query === true;
  if (isContentless(normalized)) {
    return {
      normalized,
      words: [],
      bigrams: [],
      chars: [],
      segments: [],
      intentless: true,
      asking: false,
      formulaic: false,
    };
  }
  const seg = segmenter();
  const raw = seg.cut(normalized, true);
  const rawPhatic = dropPhatic ? phaticRuns(raw) : new Set<number>();
  const segments: string[] = [];
  const phatic = new Set<number>();
  raw.forEach((s, i) => {
    if (s.trim() === '') return;
    if (rawPhatic.has(i)) phatic.add(segments.length);
    segments.push(s);
  });
  const words: string[] = [];
  const chars: string[] = [];
  // The asking cue is looked for in the message without its social formulas (不好意思 is no complaint).
  let spoken = '';
  // A one-character formula (呢, 我, 好) is kept unless it follows a dropped one (好的呢 is no question).
  let dropped = false;
  let formulaic = false;
  segments.forEach((s, i) => {
    const formula = phatic.has(i) || (dropPhatic && PHATIC_WORDS.has(s) && ([...s].length > 1 || dropped));
    spoken += formula ? ' ' : s;
    dropped = formula;
    if (dropPhatic && (phatic.has(i) || (PHATIC_WORDS.has(s) && !BARE_PARTICLES.has(s)))) formulaic = true;
  });
  const asking = ASKING_CUE.test(spoken.replace(/[\s,.!;:~，。！；：、～…]+$/u, ''));
  for (const [i, s] of segments.entries()) {
    if (phatic.has(i) || !isTopicWord(s, dropPhatic)) continue;
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
    // Formulas are cut out of the runs first (晚上好 yields no 晚上 bigram).
    const runs = raw.map((s, i) => (rawPhatic.has(i) ? ' ' : s)).join('');
    for (const run of runs.match(/\p{Script=Han}+/gu) ?? []) {
      const cs = [...run];
      for (let i = 0; i + 1 < cs.length; i++) {
        const pair = cs[i]! + cs[i + 1]!;
        if (STOP_WORDS.has(pair) || (dropPhatic && PHATIC_WORDS.has(pair))) continue;
        if (STOP_WORDS.has(cs[i]!) && STOP_WORDS.has(cs[i + 1]!)) continue;
        bigrams.push(BIGRAM + pair);
      }
    }
  }
  // Only forms of address left (谢谢老师, 好的亲, 辛苦王经理): a formula too.
  const addressOnly =
    dropPhatic &&
    words.length > 0 &&
    words.every((w) => ADDRESS_WORDS.has(w) || ([...w].length <= 3 && ADDRESS_WORDS.has(w.slice(1))));
  if (addressOnly && !asking) {
    return { normalized, words: [], bigrams: [], chars: [], segments, intentless: true, asking, formulaic };
  }
  return { normalized, words, bigrams, chars, segments, intentless: words.length === 0, asking, formulaic };
}

/** Terms with their counts, every kind in one map. */
export function termCounts(a: Analysis): Map<string, number> {
  const counts = new Map<string, number>();
  for (const list of [a.words, a.bigrams, a.chars]) for (const t of list) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}
