import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app.js';
import { DEMO_CORP } from '../../server/emulator/index.js';
import { movementKey } from '../../server/modules/dashboards/movements.js';
import { testConfig } from '../support/app.js';
import { corpTime, plusDays } from '../support/dashboards.js';

/**
 * The rollup's active total of a day: the day before's rollup plus the day's movements, as the live days count them;
 * a corp's first day (or one after a gap in the rollups) is counted from `follows`. Relationships are written
 * directly (follows as they end up, movements as they happened) for reps the directory does not know, so the demo
 * corp's own customers are apart: the totals asserted are those of rep `ra` and `rb` only.
 */

const CORP = DEMO_CORP.corpId;
let app: App;
// Six past days, far enough back that the demo's own data does not reach them.
const D = Array.from({ length: 6 }, (_, i) => plusDays('2026-03-02', i));

async function follow(userId: string, externalUserId: string, addedAt: number, lostAt: number | null = null) {
  await app.db.insert(app.db.t.follows).values({
    corpId: CORP,
    userId,
    externalUserId,
    addedAt,
    status: lostAt === null ? 'active' : 'lost',
    lostAt,
    lostReason: lostAt === null ? null : 'deleted_by_customer',
  });
}

async function movement(kind: 'add' | 'loss', userId: string, externalUserId: string, at: number, reason?: string) {
  await app.db.insert(app.db.t.customerMovements).values({
    corpId: CORP,
    userId,
    externalUserId,
    kind,
    reason: reason ?? null,
    at,
    sourceKey: movementKey(kind, userId, externalUserId, at),
  });
}

/** The active total of ra and rb at the end of a rolled-up day (its active_daily rows). */
async function activeOf(day: string): Promise<Record<string, number>> {
  const { activeDaily } = app.db.t;
  const rows = await app.db.select().from(activeDaily);
  const out: Record<string, number> = {};
  for (const r of rows) {
    if (r.day === day && (r.userId === 'ra' || r.userId === 'rb')) out[r.userId] = (out[r.userId] ?? 0) + r.active;
  }
  return out;
}

beforeAll(async () => {
  app = await buildApp(testConfig(), { logger: false });
  await app.ready();
  // D0: a1 and a2 added to ra, b1 to rb. D1: a3 added to ra and lost the same day.
  await follow('ra', 'a1', corpTime(D[0]!, '10:00'));
  await follow('ra', 'a2', corpTime(D[0]!, '12:00'));
  await follow('ra', 'a3', corpTime(D[1]!, '10:00'), corpTime(D[1]!, '10:30'));
  await follow('rb', 'b1', corpTime(D[0]!, '11:00'), corpTime(D[2]!, '09:00'));
  await movement('add', 'ra', 'a1', corpTime(D[0]!, '10:00'));
  await movement('add', 'ra', 'a2', corpTime(D[0]!, '12:00'));
  await movement('add', 'rb', 'b1', corpTime(D[0]!, '11:00'));
  await movement('add', 'ra', 'a3', corpTime(D[1]!, '10:00'));
  await movement('loss', 'ra', 'a3', corpTime(D[1]!, '10:30'), 'deleted_by_customer');
  // D2: b1 lost, recorded without a reason: a loss all the same.
  await movement('loss', 'rb', 'b1', corpTime(D[2]!, '09:00'));
}, 60_000);

afterAll(async () => {
  await app?.close();
});

describe('the rollup’s active totals', () => {
  it('the first day is counted from follows; then each day is the day before plus its movements', async () => {
    const { rollup } = app.modules.dashboards;
    // D0, the corp's first rollup, counted from follows: a1, a2 and b1 (lost on D2) were active at its end.
    await rollup.rollUp(CORP, D[0]!);
    expect(await activeOf(D[0]!)).toEqual({ ra: 2, rb: 1 });
    // D1: a3 added and lost (+1 −1).
    await rollup.rollUp(CORP, D[1]!);
    expect(await activeOf(D[1]!)).toEqual({ ra: 2, rb: 1 });
    // D2: b1's loss without a reason counts; a rep with none left has no row.
    await rollup.rollUp(CORP, D[2]!);
    expect(await activeOf(D[2]!)).toEqual({ ra: 2 });
    const byDay = await app.modules.dashboards.queries.movements(
      CORP,
      D[0]!,
      D[2]!,
      { departments: null, userId: 'rb' },
      'day',
      D[5]!,
      D[5]!,
    );
    expect(byDay.get(D[2]!)?.losses).toBe(1);
  });

  it('a relationship lost and added again within one day, counted the day before, stays one', async () => {
    const { rollup } = app.modules.dashboards;
    // D3: a1 (active since D0) is lost at 10:00 and added again at 11:00; its follow keeps only the re-add.
    const { follows } = app.db.t;
    await app.db
      .update(follows)
      .set({ addedAt: corpTime(D[3]!, '11:00') })
      .where(and(eq(follows.corpId, CORP), eq(follows.userId, 'ra'), eq(follows.externalUserId, 'a1')));
    await movement('loss', 'ra', 'a1', corpTime(D[3]!, '10:00'), 'deleted_by_rep');
    await movement('add', 'ra', 'a1', corpTime(D[3]!, '11:00'));
    await rollup.rollUp(CORP, D[3]!);
    // a1 and a2: 2 (the follows' adds of the day on top of D2's total would say 3: the loss is gone from follows).
    expect(await activeOf(D[3]!)).toEqual({ ra: 2 });
    // A re-run keeps the total first computed.
    await rollup.rollUp(CORP, D[3]!);
    expect(await activeOf(D[3]!)).toEqual({ ra: 2 });
  });

  it('a relationship a sync found late (no movement) enters the totals at the first day of the next month', async () => {
    const { rollup } = app.modules.dashboards;
    // 29 April follows a gap (counted from follows: a1, a2); then a sync finds a9, added to ra on 29 April at 10:00,
    // a day already rolled up: no day still to come has a movement for it.
    await rollup.rollUp(CORP, '2026-04-29');
    expect(await activeOf('2026-04-29')).toEqual({ ra: 2 });
    await follow('ra', 'a9', corpTime('2026-04-29', '10:00'));
    await rollup.rollUp(CORP, '2026-04-30');
    expect(await activeOf('2026-04-30')).toEqual({ ra: 2 });
    // 1 May is counted from follows: a9 is in.
    await rollup.rollUp(CORP, '2026-05-01');
    expect(await activeOf('2026-05-01')).toEqual({ ra: 3 });
    // And the next day goes on from there.
    await rollup.rollUp(CORP, '2026-05-02');
    expect(await activeOf('2026-05-02')).toEqual({ ra: 3 });
  });

  it('after a gap in the rollups the day is counted from follows', async () => {
    const { rollup } = app.modules.dashboards;
    // D4 is not rolled up; D5 counts follows: a1 (its D3 re-add) and a2.
    await rollup.rollUp(CORP, D[5]!);
    expect(await activeOf(D[5]!)).toEqual({ ra: 2 });
  });
});
