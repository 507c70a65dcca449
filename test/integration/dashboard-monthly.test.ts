import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app.js';
import { DEMO_CORP } from '../../server/emulator/index.js';
import { addDays } from '../../server/modules/dashboards/days.js';
import { addRepDay, emptyRepDay, type RepDayFigures } from '../../server/modules/dashboards/figures.js';
import { refreshDepartmentDay, refreshMonth, wholeMonths } from '../../server/modules/dashboards/monthly.js';
import {
  addMovement,
  emptyMovement,
  type MovementSums,
  type RowFilter,
} from '../../server/modules/dashboards/queries.js';
import { testConfig } from '../support/app.js';

/**
 * The monthly sums (movement_monthly, rep_monthly) against the daily rows they sum: a year's range reads its whole
 * months from them, so every figure over months must be what summing the days gives. The daily rows are written
 * here directly (reps in two departments, one moved mid-month, three channels, a day written twice as a re-run
 * does), and each read over a range with whole months is compared with the same read grouped by day (which reads
 * only daily rows), and with hand-made sums.
 */

const CORP = DEMO_CORP.corpId;
let app: App;
const FIRST = '2026-01-20';
const LAST = '2026-05-10';
const days: string[] = [];
for (let d = FIRST; d <= LAST; d = addDays(d, 1)) days.push(d);
// A rep of department 2 the whole time, one of department 3 until 2026-03-15 and of department 4 after it.
const department = (userId: string, day: string) => (userId === 'r1' ? 2 : day < '2026-03-15' ? 3 : 4);

/** Deterministic figures of a (day, rep, channel). */
const seed = (i: number, u: number, ch: number) => (i * 7 + u * 3 + ch * 5) % 4;

async function writeDay(day: string, factor: number) {
  const db = app.db;
  const { movementDaily, repDaily } = db.t;
  const i = days.indexOf(day);
  await db.tx(async (tx) => {
    for (const [u, userId] of ['r1', 'r2'].entries()) {
      await tx
        .delete(repDaily)
        .where(and(eq(repDaily.corpId, CORP), eq(repDaily.day, day), eq(repDaily.userId, userId)));
      await tx.insert(repDaily).values({
        corpId: CORP,
        day,
        userId,
        departmentId: department(userId, day),
        conversations: factor * seed(i, u, 0),
        messagesSent: factor * seed(i, u, 1),
        questions: factor * seed(i, u, 2),
        answered: seed(i, u, 2),
        frt03: seed(i, u, 3),
        notesWritten: seed(i, u, 4),
      });
      for (const channelId of [0, 1, 2]) {
        const adds = factor * seed(i, u, channelId);
        if (adds === 0) continue;
        await tx
          .insert(movementDaily)
          .values({
            corpId: CORP,
            day,
            userId,
            channelId,
            departmentId: department(userId, day),
            adds,
            losses: seed(i + 1, u, channelId) % 2,
            cohortLost7: adds > 1 ? 1 : 0,
            cohortLost30: adds > 2 ? 2 : 0,
            welcomeSent: seed(i, u, channelId + 1) % 3,
          })
          .onConflictDoUpdate({
            target: [movementDaily.corpId, movementDaily.day, movementDaily.userId, movementDaily.channelId],
            set: { adds },
          });
      }
    }
    await refreshMonth(db, tx, CORP, day);
    await refreshDepartmentDay(db, tx, CORP, day);
  });
}

beforeAll(async () => {
  app = await buildApp(testConfig(), { logger: false });
  await app.ready();
  // Every day once with doubled figures, then again with the real ones (a re-run replaces the day's rows).
  for (const day of days) await writeDay(day, 2);
  for (const day of days) await writeDay(day, 1);
}, 120_000);

afterAll(async () => {
  await app?.close();
});

const sumMovements = (m: Map<string, MovementSums>, keep: (k: string) => boolean = () => true) =>
  [...m].filter(([k]) => keep(k)).reduce((a, [, b]) => addMovement(a, b), emptyMovement());
const sumReps = (m: Map<string, RepDayFigures>) => [...m.values()].reduce((a, b) => addRepDay(a, b), emptyRepDay());

describe('monthly sums', () => {
  it('whole months are the months inside the range that end by the limit', () => {
    expect(wholeMonths('2026-01-20', '2026-05-10', '2026-05-10')).toEqual({
      start: '2026-02-01',
      end: '2026-04-30',
      firstMonth: '2026-02',
      lastMonth: '2026-04',
    });
    expect(wholeMonths('2026-02-01', '2026-03-31', '2026-03-30')).toEqual({
      start: '2026-02-01',
      end: '2026-02-28',
      firstMonth: '2026-02',
      lastMonth: '2026-02',
    });
    expect(wholeMonths('2026-02-02', '2026-03-30', '2026-12-31')).toBeNull();
    expect(wholeMonths('2025-12-01', '2026-01-31', '2026-12-31')?.lastMonth).toBe('2026-01');
  });

  it('the monthly rows are the daily rows summed per month, rep, channel and department', async () => {
    const db = app.db;
    const monthly = await db.rows<Record<string, unknown>>(
      db,
      // The monthly table against its own definition, recomputed here from the daily rows.
      sql`SELECT m.month, m.user_id, m.channel_id, m.department_id, m.adds, d.adds AS day_adds
        FROM movement_monthly m
        LEFT JOIN (SELECT substr(day, 1, 7) AS month, user_id, channel_id, department_id, sum(adds) AS adds
                   FROM movement_daily WHERE corp_id = ${CORP} GROUP BY 1, 2, 3, 4) d
          ON d.month = m.month AND d.user_id = m.user_id AND d.channel_id = m.channel_id
            AND d.department_id = m.department_id
        WHERE m.corp_id = ${CORP}`,
    );
    expect(monthly.length).toBeGreaterThan(20);
    for (const r of monthly) expect(Number(r.adds), JSON.stringify(r)).toBe(Number(r.day_adds));
    // r2 moved on 2026-03-15: March has a row in each department.
    expect(
      monthly
        .filter((r) => r.month === '2026-03' && r.user_id === 'r2')
        .map((r) => Number(r.department_id))
        .sort(),
    ).toContain(4);
  });

  it('sums over months equal the sums of the days, for every grouping and filter', async () => {
    const q = app.modules.dashboards.queries;
    const filters: RowFilter[] = [
      { departments: null },
      { departments: new Set([3]) },
      { departments: new Set([4]) },
      { departments: null, userId: 'r2' },
      { departments: null, channelId: 1 },
    ];
    // close30 after the range: every month's cohort counts (and cohort7 and cohort30 are the adds).
    for (const f of filters) {
      const label = JSON.stringify({ ...f, departments: f.departments && [...f.departments] });
      const byDay = await q.movements(CORP, FIRST, LAST, f, 'day', '2026-12-31', '2026-12-31');
      const all = sumMovements(byDay);
      expect(all.adds, label).toBeGreaterThan(0);
      expect(sumMovements(await q.movements(CORP, FIRST, LAST, f, 'none', '2026-12-31', '2026-12-31')), label).toEqual(
        all,
      );
      expect(sumMovements(await q.movements(CORP, FIRST, LAST, f, 'user', '2026-12-31', '2026-12-31')), label).toEqual(
        all,
      );
      expect(
        sumMovements(await q.movements(CORP, FIRST, LAST, f, 'channel', '2026-12-31', '2026-12-31')),
        label,
      ).toEqual(all);
      // Cohorts closing mid-range: the months after the close are read by day, with only the days up to it.
      const partly = await q.movements(CORP, FIRST, LAST, f, 'none', '2026-04-20', '2026-03-10');
      const cohortDays = await q.movements(CORP, FIRST, LAST, f, 'day', '2026-04-20', '2026-03-10');
      expect(sumMovements(partly), label).toEqual(sumMovements(cohortDays));
      expect(sumMovements(partly).cohort30, label).toBe(sumMovements(cohortDays, (d) => d <= '2026-03-10').adds);
      const reps = await q.reps(CORP, FIRST, LAST, f, 'day');
      expect(sumReps(await q.reps(CORP, FIRST, LAST, f, 'user')), label).toEqual(sumReps(reps));
      expect(sumReps(await q.reps(CORP, FIRST, LAST, f, 'none')), label).toEqual(sumReps(reps));
    }
    // Days without a rep or channel filter come from the department sums: each day is its reps' rows.
    for (const departments of [null, new Set([3]), new Set([4])]) {
      const byDepartment = await q.movements(CORP, FIRST, LAST, { departments }, 'day', '2026-04-20', '2026-03-10');
      const byRep = [
        await q.movements(CORP, FIRST, LAST, { departments, userId: 'r1' }, 'day', '2026-04-20', '2026-03-10'),
        await q.movements(CORP, FIRST, LAST, { departments, userId: 'r2' }, 'day', '2026-04-20', '2026-03-10'),
      ];
      for (const day of days) {
        const reps = byRep.map((m) => m.get(day)).filter((m) => m !== undefined);
        expect(byDepartment.get(day), day).toEqual(
          reps.length === 0 ? undefined : reps.reduce((a, b) => addMovement({ ...a }, b), emptyMovement()),
        );
      }
    }
    // Per rep: r2's row over the whole range is r2's days.
    const perRep = await q.reps(CORP, FIRST, LAST, { departments: null }, 'user');
    expect(perRep.get('r2')).toEqual(
      sumReps(await q.reps(CORP, FIRST, LAST, { departments: null, userId: 'r2' }, 'day')),
    );
  });
});
