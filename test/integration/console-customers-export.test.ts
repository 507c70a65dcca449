import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { DEMO_CORP } from '../../server/emulator/index.js';
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
    const expected = Array.from({ length: COUNT }, (_, i) => `wm-export-${String(i).padStart(4, '0')}`).sort(
      (a, b) => Math.floor(Number(b.slice(-4)) / 3) - Math.floor(Number(a.slice(-4)) / 3) || b.localeCompare(a),
    );
    expect(ours).toEqual(expected);
  });
});
