import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../server/db/database.js';
import { isUniqueViolation, TransactionMisuse, UniqueViolation } from '../../../server/db/errors.js';
import { openDatabase } from '../../../server/db/open.js';
import { testDatabase } from '../../support/database.js';

/** The unit of work, on whichever backend this run uses (SQLite in `npm test`, PostgreSQL in `npm run test:pg`). */
describe('database: the async unit of work', () => {
  let db: Database;
  beforeEach(async () => {
    db = await openDatabase(testDatabase());
    await db.insert(db.t.corps).values({
      corpId: 'c1',
      name: '测试企业',
      agentId: 1,
      secretSealed: 's',
      tokenSealed: 't',
      encodingAesKeySealed: 'e',
    });
  });
  afterEach(async () => db.close());

  const stageNames = async () => (await db.select().from(db.t.stages).orderBy(db.t.stages.name)).map((s) => s.name);

  it('commits what the function wrote when it resolves', async () => {
    await db.tx(async (tx) => {
      await tx.insert(db.t.stages).values({ corpId: 'c1', name: '新客户' });
      await tx.insert(db.t.stages).values({ corpId: 'c1', name: '已成交' });
    });
    expect(await stageNames()).toEqual(['已成交', '新客户']);
  });

  it('rolls everything back when the function throws, and rethrows', async () => {
    await expect(
      db.tx(async (tx) => {
        await tx.insert(db.t.stages).values({ corpId: 'c1', name: '新客户' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await stageNames()).toEqual([]);
  });

  it('a unique violation is one typed error naming the index, from a transaction and from a plain statement', async () => {
    await db.insert(db.t.stages).values({ corpId: 'c1', name: '新客户' });
    const inTx = await db
      .tx(async (tx) => tx.insert(db.t.stages).values({ corpId: 'c1', name: '新客户' }))
      .catch((e: unknown) => e);
    expect(inTx).toBeInstanceOf(UniqueViolation);
    expect((inTx as UniqueViolation).constraint).toBe('stages_corp_name');
    const plain = await db
      .insert(db.t.stages)
      .values({ corpId: 'c1', name: '新客户' })
      .catch((e: unknown) => e);
    expect(isUniqueViolation(plain, 'stages_corp_name')).toBe(true);
    const pk = await db
      .insert(db.t.corps)
      .values({ corpId: 'c1', name: 'x', agentId: 1, secretSealed: '', tokenSealed: '', encodingAesKeySealed: '' })
      .catch((e: unknown) => e);
    expect(isUniqueViolation(pk, 'corps_pkey')).toBe(true);
  });

  it('refuses a nested transaction and the plain handle inside a transaction', async () => {
    await expect(db.tx(async () => db.tx(async () => 1))).rejects.toBeInstanceOf(TransactionMisuse);
    await expect(db.tx(async () => db.select().from(db.t.corps))).rejects.toBeInstanceOf(TransactionMisuse);
  });

  it('runs afterCommit callbacks after the commit, not after a rollback, at once outside a transaction', async () => {
    const seen: string[] = [];
    await db.tx(async (tx) => {
      await tx.insert(db.t.stages).values({ corpId: 'c1', name: 'a' });
      db.afterCommit(() => seen.push('committed'));
      seen.push('inside');
    });
    await db
      .tx(async () => {
        db.afterCommit(() => seen.push('never'));
        throw new Error('rolled back');
      })
      .catch(() => {});
    db.afterCommit(() => seen.push('plain'));
    expect(seen).toEqual(['inside', 'committed', 'plain']);
  });

  it('JSON columns go in and come out as values, booleans as booleans, times as numbers', async () => {
    await db.insert(db.t.reps).values({ corpId: 'c1', userId: 'u1', name: '张伟', departmentIds: [2, 3] });
    await db.insert(db.t.tagGroups).values({ corpId: 'c1', groupId: 'g', name: '意向', deleted: true });
    const [rep] = await db.select().from(db.t.reps);
    const [group] = await db.select().from(db.t.tagGroups);
    expect(rep!.departmentIds).toEqual([2, 3]);
    expect(group!.deleted).toBe(true);
    expect(typeof rep!.createdAt).toBe('number');
    expect(Math.abs(rep!.createdAt - Date.now())).toBeLessThan(60_000);
  });

  it('concurrent read-modify-write transactions never lose an update', async () => {
    await db.insert(db.t.stages).values({ corpId: 'c1', name: 'counter', order: 0 });
    const bump = () =>
      db.tx(async (tx) => {
        const [row] = await tx.select().from(db.t.stages).where(eq(db.t.stages.name, 'counter'));
        await new Promise((r) => setTimeout(r, 2));
        await tx
          .update(db.t.stages)
          .set({ order: row!.order + 1 })
          .where(eq(db.t.stages.name, 'counter'));
      });
    await Promise.all(Array.from({ length: 10 }, bump));
    const [row] = await db.select().from(db.t.stages).where(eq(db.t.stages.name, 'counter'));
    expect(row!.order).toBe(10);
  });

  it('hand-written SQL: rows by column name, and the number of rows a statement changed', async () => {
    await db.insert(db.t.stages).values([
      { corpId: 'c1', name: 'a' },
      { corpId: 'c1', name: 'b' },
    ]);
    const rows = await db.rows<{ name: string; n: number }>(
      db,
      sql`SELECT name, count(*) AS n FROM stages GROUP BY name ORDER BY name`,
    );
    expect(rows).toEqual([
      { name: 'a', n: 1 },
      { name: 'b', n: 1 },
    ]);
    expect(await db.exec(db, sql`UPDATE stages SET "order" = 5`)).toBe(2);
    await db.durable();
  });
});
