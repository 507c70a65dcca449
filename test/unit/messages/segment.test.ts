import { describe, expect, it } from 'vitest';
import { queryWords, searchTerms } from '../../../server/modules/messages/segment.js';

/** The words both backends index and match: segmented by jieba in JavaScript, the same on SQLite and PostgreSQL. */
describe('search words', () => {
  const has = (text: string, word: string) => searchTerms(text).split(' ').includes(word);

  it('indexes 2-character words, also the ones inside longer words', () => {
    expect(has('已经发货了，请注意查收', '发货')).toBe(true);
    expect(has('发货单号SF1234567890', '发货')).toBe(true);
    expect(has('发货单号SF1234567890', '发货单')).toBe(true);
    expect(has('我要退款！', '退款')).toBe(true);
    expect(searchTerms('，。！？')).toBe('');
  });

  it('lower-cases letters and splits letter-and-digit runs into their parts', () => {
    const terms = searchTerms('iPhone15Pro多少钱？X9扫拖一体机').split(' ');
    expect(terms).toEqual(expect.arrayContaining(['iphone15pro', 'iphone', '15', 'pro', 'x9', '多少', '钱']));
    expect(terms.every((t) => t === t.toLowerCase())).toBe(true);
    // Han and other scripts never share a word, so both backends' tokenizers keep each word whole.
    expect(
      terms.every((t) => /^(\p{Script=Han}+|[\p{L}\p{N}]+)$/u.test(t) && !/\p{Script=Han}[^\p{Script=Han}]/u.test(t)),
    ).toBe(true);
  });

  it('gives a query the words every one of which must occur', () => {
    expect(queryWords('发货 退款')).toEqual(['发货', '退款']);
    expect(queryWords('iPhone15Pro')).toEqual(['iphone15pro']);
    expect(queryWords('  ')).toEqual([]);
    expect(queryWords('？！')).toEqual([]);
  });

  it('drops very long runs (base64, links) instead of indexing them', () => {
    expect(searchTerms(`看看 ${'a'.repeat(60)}`)).toBe('看看');
  });
});
