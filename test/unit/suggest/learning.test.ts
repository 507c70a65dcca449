import { describe, expect, it } from 'vitest';
import { createSuggestionEngine, type SuggestionEngine } from '../../../server/modules/suggest/engine/index.js';
import { DAY, LIBRARY, NOW } from './library.js';

const engine = () => createSuggestionEngine({ scripts: LIBRARY });
const ids = (e: SuggestionEngine, ...messages: string[]) => e.suggest({ messages, now: NOW }).map((s) => s.scriptId);
const teach = (e: SuggestionEngine, message: string, scriptId: string, times: number, at = NOW - DAY) => {
  for (let i = 0; i < times; i++) e.learn({ message, scriptId, at: at - i * 60_000 });
};

describe('learning from the team', () => {
  it('a learned pair changes the ranking, and generalises to new wording', () => {
    const e = engine();
    expect(ids(e, '你们寄错货了')[0]).not.toBe('return');
    teach(e, '寄错货了怎么办', 'return', 3);
    teach(e, '收到的颜色发错了', 'return', 2);
    expect(ids(e, '你们寄错货了')[0]).toBe('return');
    // Other wording, sharing a word with what was learned.
    expect(ids(e, '颜色错了')[0]).toBe('return');
    const top = e.suggest({ messages: ['你们寄错货了'], now: NOW })[0]!;
    expect(top.reason).toContain('同事');
    expect(['learned', 'both']).toContain(top.source);
  });

  it('a remark sharing only an incidental word with what was taught gets nothing; its topic still does', () => {
    const e = engine();
    teach(e, '刚交了定金能退吗', 'return', 2);
    // 刚 (just now) is all 刚吃完饭 shares with the taught message: small talk, not a request.
    expect(ids(e, '刚吃完饭')).toEqual([]);
    // 定金 is what the team answered with the returns script: as a statement or a question, it still finds it.
    expect(ids(e, '刚交完定金')[0]).toBe('return');
    expect(ids(e, '刚交完定金，能退吗')[0]).toBe('return');
  });

  it('tolerates a wrong pair among right ones', () => {
    const e = engine();
    teach(e, '寄错货了怎么办', 'return', 6);
    teach(e, '寄错货了怎么办', 'store', 1);
    expect(ids(e, '寄错货了')[0]).toBe('return');
  });

  it('deleting a script stops its learning; the same id added again starts from nothing', () => {
    const e = engine();
    teach(e, '寄错货了怎么办', 'return', 3);
    expect(ids(e, '寄错货了')[0]).toBe('return');
    e.removeScript('return');
    expect(ids(e, '寄错货了')).not.toContain('return');
    expect(e.exportLearned().pairs.some((p) => p.scriptId === 'return')).toBe(false);
    e.upsertScript(LIBRARY.find((s) => s.id === 'return')!);
    expect(ids(e, '寄错货了')[0]).not.toBe('return');
  });

  it('recent sends outweigh old ones (time decay), frequent ones outweigh rare ones', () => {
    const e = engine();
    teach(e, '东西有毛病找谁', 'warranty', 3, NOW - 400 * DAY);
    teach(e, '东西有毛病找谁', 'return', 3, NOW - 2 * DAY);
    expect(ids(e, '东西有毛病找谁')[0]).toBe('return');

    const f = engine();
    teach(f, '东西有毛病找谁', 'warranty', 5);
    teach(f, '东西有毛病找谁', 'return', 1);
    expect(ids(f, '东西有毛病找谁')[0]).toBe('warranty');
  });

  it('a substantial edit of a script discounts what was learned for it; a small one keeps it', () => {
    const e = engine();
    teach(e, '寄错货了怎么办', 'return', 3);
    const original = LIBRARY.find((s) => s.id === 'return')!;
    expect(e.upsertScript({ ...original, content: original.content + '～' }).learnedFactor).toBe(1);
    expect(ids(e, '寄错货了')[0]).toBe('return');
    const rewritten = { ...original, title: '会员积分规则', content: '每消费1元积1分，积分可以兑换礼品。' };
    expect(e.upsertScript(rewritten).learnedFactor).toBe(0);
    expect(ids(e, '寄错货了')).not.toContain('return');
  });

  it('exports its learned pairs and restores them into a new engine with the same answers', () => {
    const e = engine();
    teach(e, '寄错货了怎么办', 'return', 3);
    teach(e, '东西有毛病找谁', 'warranty', 2);
    const state = JSON.parse(JSON.stringify(e.exportLearned()));
    expect(state.pairs).toHaveLength(5);
    const restored = createSuggestionEngine({ scripts: LIBRARY, learned: state });
    for (const q of ['寄错货了', '东西有毛病找谁', '运费多少']) {
      expect(restored.suggest({ messages: [q], now: NOW })).toEqual(e.suggest({ messages: [q], now: NOW }));
    }
  });

  it('learns nothing from a send of an unknown script or after a message that asked nothing', () => {
    const e = engine();
    expect(e.learn({ message: '寄错货了', scriptId: 'gone', at: NOW })).toBeNull();
    expect(e.learn({ message: '谢谢', scriptId: 'return', at: NOW })).toBeNull();
    expect(e.learn({ message: '寄错货了', scriptId: 'return', at: NOW })).toEqual({
      message: '寄错货了',
      scriptId: 'return',
      at: NOW,
      weight: 1,
    });
    expect(e.learnedCount).toBe(1);
  });
});
