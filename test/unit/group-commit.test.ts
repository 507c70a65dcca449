import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../server/modules/events/group-commit.js';

describe('groupCommit', () => {
  it('writes the rows requested in one turn of the event loop as one batch, results in order', async () => {
    const batches: number[][] = [];
    const insert = groupCommit(async (rows: number[]) => {
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
    const insert = groupCommit(async (rows: string[]) => {
      if (fail) throw new Error('SQLITE_FULL');
      return rows.map(() => true);
    });
    const outcomes = await Promise.allSettled([insert('a'), insert('b')]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(insert('c')).resolves.toBe(true);
  });

  it('gathers the next batch while one is being written, and writes batches one after another', async () => {
    const batches: number[][] = [];
    let writing = 0;
    let overlapped = false;
    let release!: () => void;
    const insert = groupCommit(async (rows: number[]) => {
      writing++;
      if (writing > 1) overlapped = true;
      batches.push(rows);
      if (batches.length === 1) await new Promise<void>((r) => (release = r));
      writing--;
      return rows;
    });
    const first = insert(1);
    await new Promise((r) => setImmediate(r));
    // The first batch is being written; these arrive over several turns and wait for it.
    const later = [insert(2)];
    await new Promise((r) => setImmediate(r));
    later.push(insert(3));
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1]]);
    release();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3]);
    expect(batches).toEqual([[1], [2, 3]]);
    expect(overlapped).toBe(false);
  });
});
