import { createRequire } from 'node:module';

/**
 * Words for full-text search, the same on both backends: jieba segments the text here, in JavaScript, and the
 * database only matches whole words (SQLite FTS5 over the words joined by spaces; PostgreSQL's to_tsvector('simple')
 * over the same string). So a 2-character word (发货, 退款) is found wherever jieba sees it, and both backends
 * answer a query with the same messages.
 *
 * A document is indexed in jieba's search mode, which adds the dictionary words inside a long word (发货单 gives
 * 发货, 货单, 发货单), so a query for a shorter word still finds it. A query is segmented in precise mode and every
 * word must occur. Every word is lower case and is a run of Han characters or a run of other letters and digits;
 * a letter-and-digit run also yields its letter and digit parts (iphone15pro → iphone, 15, pro), so a model number
 * is found by its name or its number.
 */

interface JiebaLike {
  cut(sentence: string, hmm?: boolean): string[];
  cutForSearch(sentence: string, hmm?: boolean): string[];
}

let jieba: JiebaLike | undefined;

/** Loaded on first use (~200 ms, 20 MB): a server that never searches or stores a message never pays for it. */
function segmenter(): JiebaLike {
  if (!jieba) {
    const require = createRequire(import.meta.url);
    const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(d: Uint8Array): JiebaLike } };
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    jieba = Jieba.withDict(dict);
  }
  return jieba;
}

/** Han characters (and the compatibility block) vs. any other letter or digit. */
const HAN = /\p{Script=Han}/u;
const PIECES = /\p{Script=Han}+|[\p{L}\p{N}]+/gu;
const ALNUM_PARTS = /\p{L}+|\p{N}+/gu;
/** Longer "words" are noise (base64, URLs): indexing them only grows the index. */
const MAX_WORD = 40;

function addPieces(word: string, into: string[]): void {
  const lower = word.toLowerCase();
  for (const piece of lower.match(PIECES) ?? []) {
    if (piece.length > MAX_WORD) continue;
    into.push(piece);
    if (!HAN.test(piece)) {
      const parts = piece.match(ALNUM_PARTS) ?? [];
      if (parts.length > 1) for (const part of parts) into.push(part);
    }
  }
}

/** The words of a message's text, de-duplicated, joined by spaces (the `search_terms` column). */
export function searchTerms(text: string): string {
  if (!text) return '';
  const words: string[] = [];
  for (const w of segmenter().cutForSearch(text, true)) addPieces(w, words);
  return [...new Set(words)].join(' ');
}

/** The words a query must all match; empty when the query has no letters or digits. */
export function queryWords(query: string): string[] {
  const words: string[] = [];
  for (const w of segmenter().cut(query.trim(), true)) addPieces(w, words);
  // A letter-and-digit run's parts were added for documents; a query needs only the run itself.
  const unique = [...new Set(words)];
  return unique.filter((w) => !unique.some((o) => o !== w && !HAN.test(o) && o.includes(w) && isPartOf(w, o)));
}

/** Whether `part` is one of the letter or digit parts of the run `whole`. */
function isPartOf(part: string, whole: string): boolean {
  const parts: string[] = whole.match(ALNUM_PARTS) ?? [];
  return parts.length > 1 && parts.includes(part);
}
