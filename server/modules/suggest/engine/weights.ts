import { BIGRAM, CHAR, generalIdfOf } from './analyze.js';

/**
 * Query term weights, in two modes.
 * - `rank` orders the scripts: every kind of term counts (words, bigrams, single characters: 图片 still finds 产品图),
 *   and general informativeness only a little (价格 is common in Chinese at large, yet it is what the customer asks).
 * - `gate` decides whether anything fits at all: only informative words count fully, single characters barely, so
 *   a message whose matched words are everyday ones (今天, 周末) does not reach the threshold.
 */
export type WeightMode = 'rank' | 'gate';

const KIND = {
  rank: { word: 1, bigram: 0.45, char: 0.4, importanceExponent: 0.5 },
  gate: { word: 1, bigram: 0.45, char: 0.12, importanceExponent: 1 },
} as const;

/** How much a word says in Chinese at large (jieba's IDF, about 0.1..1.3; 的 0.1, 价格 0.5, 运费 1). */
function importance(term: string): number {
  const word = term.startsWith(BIGRAM)
    ? term.slice(BIGRAM.length)
    : term.startsWith(CHAR)
      ? term.slice(CHAR.length)
      : term;
  return Math.min(1.3, Math.max(0.15, generalIdfOf(word) / 9));
}

export function termWeight(term: string, mode: WeightMode): number {
  const k = KIND[mode];
  const kind = term.startsWith(BIGRAM) ? k.bigram : term.startsWith(CHAR) ? k.char : k.word;
  return kind * Math.pow(importance(term), k.importanceExponent);
}
