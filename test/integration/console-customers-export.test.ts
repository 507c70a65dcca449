import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { DEMO_CORP } from '../../server/emulator/index.js';
import { createConsoleCustomerRepo, type FollowFilter } from '../../server/modules/console-customers/repo.js';
import { startApp } from '../support/app.js';
import { admin } from '../support/scrm.js';

/**
 * The customers CSV over many pages (the export reads 500 relationships a page, the next page while it writes this
 * one): every relationship of the filter once, newest added first, ties on the add time in id order, nothing of
 * another rep. The relationships are written directly for one rep of the demo's directory.
 */

const CORP = DEMO_CORP.corpId;
const REP = 'export-rep';
const COUNT = 1_234;
const BASE = Date.parse('2026-06-01T02:00:00Z');
const TAG = 'et-export-tag';
const name = (i: number) => `wm-export-${String(i).padStart(4, '0')}`;
/** Newest add time first (three share each), and within a tie the larger id (inserted later) first. */
const newestFirst = (a: string, b: string) =>
  Math.floor(Number(b.slice(-4)) / 3) - Math.floor(Number(a.slice(-4)) / 3) || b.localeCompare(a);
let app: App;

beforeAll(async () => {
  app = await startApp();
  const rows = Array.from({ length: COUNT }, (_, i) => ({
    corpId: CORP,
    userId: REP,
    externalUserId: `wm-export-${String(i).padStart(4, '0')}`,
    // Three relationships share each add time, so pages also break inside a tie.
    addedAt: BASE + Math.floor(i / 3) * 60_000,
    status: i % 5 === 0 ? ('lost' as const) : ('active' as const),
    lostAt: i % 5 === 0 ? BASE + 86_400_000 : null,
    lostReason: i % 5 === 0 ? 'deleted_by_customer' : null,
  }));
  for (let i = 0; i < rows.length; i += 200) await app.db.insert(app.db.t.follows).values(rows.slice(i, i + 200));
  // Every seventh relationship has the tag.
  const tagged = rows
    .filter((_, i) => i % 7 === 0)
    .map((r) => ({ corpId: CORP, userId: REP, externalUserId: r.externalUserId, tagId: TAG }));
  for (let i = 0; i < tagged.length; i += 200)
    await app.db.insert(app.db.t.followTags).values(tagged.slice(i, i + 200));
});
afterAll(async () => {
  await app?.close();
});

describe('the customers CSV over several pages', () => {
  it('has each relationship once, newest first, ties in id order', async () => {
    const res = await admin(app, 'GET', '/api/console/customers.csv?status=all');
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    const header = lines[0]!.split(',');
    const idAt = header.indexOf('客户ID');
    const rows = lines.slice(1).map((l) => l.split(','));
    const ours = rows.map((r) => r[idAt]!).filter((id) => id.startsWith('wm-export-'));
    expect(ours).toHaveLength(COUNT);
    expect(new Set(ours).size).toBe(COUNT);
    // Inserted in order, so ids grow with i: newest add time first, and within a tie the larger id first.
    const expected = Array.from({ length: COUNT }, (_, i) => name(i)).sort(newestFirst);
    expect(ours).toEqual(expected);
  });
});

describe('a page with a test of another table (a tag)', () => {
  const filter: FollowFilter = { userIds: [REP], tagIds: [TAG], tagMatch: 'any', status: 'all' };
  const pages = async (walkRows: number) => {
    const repo = createConsoleCustomerRepo(app.db, { walkRows });
    const out: string[][] = [];
    let after: { time: number; id: number } | undefined;
    for (;;) {
      const rows = await repo.follows(app.db, CORP, filter, { limit: 50, after });
      if (rows.length > 0) out.push(rows.map((r) => r.externalUserId));
      if (rows.length < 50) return out;
      const last = rows.at(-1)!;
      after = { time: last.addedAt, id: last.followId };
    }
  };
  const expected = Array.from({ length: COUNT }, (_, i) => i)
    .filter((i) => i % 7 === 0)
    .map(name)
    .sort(newestFirst);

  it('finds the same pages when the walk holds them and when the planner must answer', async () => {
    // 400 walked rows hold a page (1 in 7 match); 10 do not, so every page falls back to the planner's join.
    for (const walkRows of [400, 10]) {
      const got = await pages(walkRows);
      expect(got.slice(0, -1).every((p) => p.length === 50)).toBe(true);
      expect(got.flat()).toEqual(expected);
    }
  });
});
