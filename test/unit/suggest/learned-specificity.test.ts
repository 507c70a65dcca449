import { describe, expect, it } from 'vitest';
import { ScriptIndex } from '../../../server/modules/suggest/engine/script-index.js';

const script = (id: string) => ({ id, title: `话术${id}`, content: '' });
const learn = (index: ScriptIndex, id: string, terms: string[]) =>
  index.addLearned(id, new Map(terms.map((t) => [t, 1])), 1);

describe('learned term specificity', () => {
  it('a term taught before many scripts carries less to each than one taught before a single script', () => {
    const index = new ScriptIndex();
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) index.upsert(script(id));
    for (const id of ['a', 'b', 'c', 'd', 'e']) learn(index, id, ['怎么办']);
    learn(index, 'f', ['退款', '怎么办']);
    expect(index.learnedSpecificity('退款')).toBe(1);
    expect(index.learnedSpecificity('怎么办')).toBeLessThan(0.6);
    expect(index.learnedSpecificity('怎么办')).toBeGreaterThan(0);
    // A term nobody taught is the script's own text only: untouched.
    expect(index.learnedSpecificity('话术')).toBe(1);
    // Same learned count, yet the topic word lifts script f more than the frame word lifts script a.
    const topic = index.score(new Map([['退款', 1]]), 3)[0]!;
    const frame = index.score(new Map([['怎么办', 1]]), 6).find((m) => index.bySlot[m.slot]!.doc.id === 'a')!;
    expect(index.bySlot[topic.slot]!.doc.id).toBe('f');
    expect(topic.score).toBeGreaterThan(frame.score);
  });

  it('follows removals and edits that drop what was learned', () => {
    const index = new ScriptIndex();
    for (const id of ['a', 'b', 'c', 'd']) index.upsert(script(id));
    for (const id of ['a', 'b', 'c']) learn(index, id, ['多少']);
    const spread = index.learnedSpecificity('多少');
    index.remove('b');
    expect(index.learnedSpecificity('多少')).toBeGreaterThan(spread);
    // Replaced with its learning dropped (learnedFactor 0): c no longer holds it.
    index.upsert(script('c'), 0);
    expect(index.learnedSpecificity('多少')).toBe(1);
    index.remove('a');
    expect(index.learnedSpecificity('多少')).toBe(1);
  });
});
