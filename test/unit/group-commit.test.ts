import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../server/modules/events/group-commit.js';

describe('groupCommit', () => {
  it('writes the rows requested in one turn of the event loop as one batch, results in order', async () => {
    const batches: number[][] = [];
    const insert = groupCommit((rows: number[]) => {
      batches.push(rows);
      return rows.map((r) => r * 10);
    });
    const results = await Promise.all([insert(1), insert(2), insert(3)]);
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(await insert(4)).toBe(40);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('rejects every caller of a batch whose write failed, and keeps working afterwards', async () => {
    let fail = true;
    const insert = groupCommit((rows: string[]) => {
      if (fail) throw new Error('SQLITE_FULL');
      return rows.map(() => true);
    });
    const outcomes = await Promise.allSettled([insert('a'), insert('b')]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(insert('c')).resolves.toBe(true);
  });
});
