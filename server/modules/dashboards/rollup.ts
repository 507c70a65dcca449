import { and, eq } from 'drizzle-orm';
import { dayInZone } from '../../../shared/time-zone.js';
import type { Database } from '../../db/database.js';
import { dayRange } from '../channels/local-day.js';
import { addDays } from './days.js';
import { activeRows, movementRows, repRows, type MovementRow } from './day-sql.js';
import type { RepDayFigures } from './figures.js';
import { departmentAt, type Memberships } from './memberships.js';
import { refreshDepartmentDay, refreshMonth } from './monthly.js';
import type { MovementRecorder } from './movements.js';
import type { WorkPeriods } from './work-periods.js';

/** One corp-day's figures, per rep (and channel), with the department each rep counted in that day. */
export interface DayFigures {
  day: string;
  /** When the figures were computed (ms). */
  computedAt: number;
  movements: (MovementRow & { departmentId: number })[];
  /** null for a live day (its total comes from the day before plus its net), or a day whose total is kept. */
  active: { userId: string; channelId: number; departmentId: number; active: number }[] | null;
  reps: { userId: string; departmentId: number; figures: RepDayFigures }[];
}

/**
 * The daily rollup: a corp-day's figures computed from the sources (day-sql.ts) and stored in movement_daily,
 * active_daily and rep_daily (and the month's and the department's sums, monthly.ts) — replacing whatever the day
 * had, so running it again is harmless and a re-run after late replies or closed retention windows corrects it.
 * Today is computed the same way, live, and not stored.
 */
export function createRollup(deps: {
  db: Database;
  movements: Pick<MovementRecorder, 'reconcile'>;
  workPeriods: Pick<WorkPeriods, 'ensure'>;
  memberships: Pick<Memberships, 'observe'>;
  timeZone: string;
  now: () => number;
  /** How long a live day's figures are shared between calls (0: computed at every call). */
  liveMaxAgeMs: number;
}) {
  const { db } = deps;
  const { movementDaily, activeDaily, repDaily, rollupDays, reps } = db.t;

  async function compute(corpId: string, day: string, live: boolean): Promise<DayFigures> {
    const range = dayRange(day, day, deps.timeZone);
    if (!range) throw new RangeError(`not a day: ${day}`);
    const { startMs, endMs } = range;
    const now = deps.now();
    if (!live) await deps.movements.reconcile(db, corpId, startMs, endMs);
    await deps.workPeriods.ensure(corpId);
    const history = await deps.memberships.observe(corpId);
    // A rep's whole day counts in the department the rep ended it in (for today: is in now). On the day of a move a
    // sales director reads the day under the rep's new department; the loss alerts' filter follows the same rule.
    const at = Math.min(endMs, now) - 1;
    const department = (userId: string) => departmentAt(history, userId, at);
    const userIds = (await db.select({ userId: reps.userId }).from(reps).where(eq(reps.corpId, corpId))).map(
      (r) => r.userId,
    );
    const movements = (await movementRows(db, db, corpId, startMs, endMs)).map((r) => ({
      ...r,
      departmentId: department(r.userId),
    }));
    // The day's active total as first computed (the night after) stays: follows keep only the latest add, so a later
    // recount of an old day would miss relationships lost and added again since.
    const active =
      live || (await isRolledUp(corpId, day))
        ? null
        : (await activeAtEnd(corpId, day, endMs, movements)).map((r) => ({
            ...r,
            departmentId: department(r.userId),
          }));
    const figures = await repRows(db, db, corpId, startMs, Math.min(endMs, now + 1), now, userIds);
    return {
      day,
      computedAt: now,
      movements,
      active,
      reps: [...figures].map(([userId, f]) => ({ userId, departmentId: department(userId), figures: f })),
    };
  }

  async function isRolledUp(corpId: string, day: string): Promise<boolean> {
    const [row] = await db
      .select({ day: rollupDays.day })
      .from(rollupDays)
      .where(and(eq(rollupDays.corpId, corpId), eq(rollupDays.day, day)))
      .limit(1);
    return row !== undefined;
  }

  /**
   * Relationships active at the end of `day`, per rep and channel: the day before's rollup plus the day's movements
   * (adds − losses − hand-overs), so a day costs its own rows, not all of the corp's relationships. The same
   * arithmetic as the dashboards' live days (service.ts), and it sees what a recount from `follows` would not: a
   * relationship lost and added again on one day is one relationship, not two. Without the day before's rollup (the
   * corp's first, or after a gap) the day is counted from `follows` once. So is the first day of each month: a
   * relationship a sync found late, with an add date in a day already rolled up, has no movement in any day still to
   * come, and the monthly recount takes it in (the totals never drift for more than a month).
   */
  async function activeAtEnd(
    corpId: string,
    day: string,
    endMs: number,
    movements: MovementRow[],
  ): Promise<{ userId: string; channelId: number; active: number }[]> {
    const before = addDays(day, -1);
    if (day.endsWith('-01') || !(await isRolledUp(corpId, before))) return activeRows(db, db, corpId, endMs);
    const counts = new Map<string, { userId: string; channelId: number; active: number }>();
    const kept = await db
      .select({ userId: activeDaily.userId, channelId: activeDaily.channelId, active: activeDaily.active })
      .from(activeDaily)
      .where(and(eq(activeDaily.corpId, corpId), eq(activeDaily.day, before)));
    for (const r of kept) counts.set(`${r.channelId}|${r.userId}`, { ...r });
    for (const m of movements) {
      const key = `${m.channelId}|${m.userId}`;
      const row = counts.get(key) ?? { userId: m.userId, channelId: m.channelId, active: 0 };
      row.active += m.adds - m.losses - m.transfersOut;
      counts.set(key, row);
    }
    return [...counts.values()].filter((r) => r.active !== 0);
  }

  const shared = new Map<string, { at: number; figures: Promise<DayFigures> }>();

  return {
    /**
     * Today so far (or any day), computed, not stored. A corp-day's figures are the same for every caller (scope and
     * filters apply after), so one computation serves every call for `liveMaxAgeMs` (by the app's clock), and calls
     * that arrive while it runs wait for it; a failed one is not kept.
     */
    live(corpId: string, day: string): Promise<DayFigures> {
      if (deps.liveMaxAgeMs <= 0) return compute(corpId, day, true);
      const key = `${corpId}|${day}`;
      const at = deps.now();
      const fresh = (v: { at: number }) => at >= v.at && at - v.at < deps.liveMaxAgeMs;
      const kept = shared.get(key);
      if (kept && fresh(kept)) return kept.figures;
      for (const [k, v] of shared) if (!fresh(v)) shared.delete(k);
      const figures = compute(corpId, day, true);
      shared.set(key, { at, figures });
      figures.catch(() => {
        if (shared.get(key)?.figures === figures) shared.delete(key);
      });
      return figures;
    },

    /** Computes and stores a corp-day (idempotent). */
    async rollUp(corpId: string, day: string): Promise<DayFigures> {
      const figures = await compute(corpId, day, false);
      const at = deps.now();
      await db.tx(async (tx) => {
        const ofDay = <T extends typeof movementDaily | typeof activeDaily | typeof repDaily>(t: T) =>
          and(eq(t.corpId, corpId), eq(t.day, day));
        await tx.delete(movementDaily).where(ofDay(movementDaily));
        await tx.delete(repDaily).where(ofDay(repDaily));
        if (figures.active) await tx.delete(activeDaily).where(ofDay(activeDaily));
        const movementValues = figures.movements.map((m) => ({ corpId, day, ...m }));
        for (let i = 0; i < movementValues.length; i += 300) {
          await tx.insert(movementDaily).values(movementValues.slice(i, i + 300));
        }
        const activeValues = (figures.active ?? []).map((a) => ({ corpId, day, ...a }));
        for (let i = 0; i < activeValues.length; i += 300) {
          await tx.insert(activeDaily).values(activeValues.slice(i, i + 300));
        }
        const repValues = figures.reps.map(({ userId, departmentId, figures: f }) => ({
          corpId,
          day,
          userId,
          departmentId,
          conversations: f.conversations,
          messagesSent: f.messagesSent,
          customerMessages: f.customerMessages,
          questions: f.questions,
          answered: f.answered,
          questionsInHours: f.questionsInHours,
          answeredIn3m: f.answeredIn3m,
          ...Object.fromEntries(f.bands.map((count, i) => [`frt${String(i).padStart(2, '0')}`, count])),
          scriptsSent: f.scriptsSent,
          suggestionsShown: f.suggestionsShown,
          suggestionsSent: f.suggestionsSent,
          suggestionsEdited: f.suggestionsEdited,
          suggestionsIgnored: f.suggestionsIgnored,
          notesWritten: f.notesWritten,
        }));
        for (let i = 0; i < repValues.length; i += 100) {
          await tx.insert(repDaily).values(repValues.slice(i, i + 100));
        }
        await refreshMonth(db, tx, corpId, day);
        await refreshDepartmentDay(db, tx, corpId, day);
        await tx
          .insert(rollupDays)
          .values({ corpId, day, computedAt: at })
          .onConflictDoUpdate({ target: [rollupDays.corpId, rollupDays.day], set: { computedAt: at } });
      });
      return figures;
    },

    /** The corp-day of a moment. */
    dayOf: (ms: number) => dayInZone(ms, deps.timeZone),
  };
}
export type Rollup = ReturnType<typeof createRollup>;
