import { describe, expect, it } from 'vitest';
import { createSuggestionEngine } from '../../../server/modules/suggest/engine/index.js';
import { LIBRARY } from './library.js';

const engine = createSuggestionEngine({ scripts: LIBRARY });
const ids = (q: string) => engine.search(q).map((h) => h.scriptId);

describe('script search', () => {
  it('ranks the scripts about the words typed first', () => {
    expect(ids('运费多少').slice(0, 2).sort()).toEqual(['ship', 'ship-insure']);
    expect(ids('价格').slice(0, 2).sort()).toEqual(['vacuum-price', 'watch-price']);
    expect(ids('保修')[0]).toBe('warranty');
    expect(ids('扫地机')[0]).toMatch(/^vacuum/);
  });

  it('puts a verbatim title match first and says which words matched', () => {
    const hits = engine.search('发票开具');
    expect(hits[0]!.scriptId).toBe('invoice');
    expect(hits[0]!.matched).toContain('发票');
  });

  it('handles traditional characters and typos like suggestions do', () => {
    expect(ids('運費').slice(0, 2).sort()).toEqual(['ship', 'ship-insure']);
    expect(ids('保休')[0]).toBe('warranty');
  });

  it('returns nothing for an empty query or one that matches nothing', () => {
    expect(ids('')).toEqual([]);
    expect(ids('   ')).toEqual([]);
    expect(ids('量子计算机')).toEqual([]);
  });
});
