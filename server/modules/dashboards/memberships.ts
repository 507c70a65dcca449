import { eq } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { mainDepartment } from '../console-auth/actor.js';

/** A rep's main department through time: `since` (ms) ascending. */
export type DepartmentHistory = Map<string, { departmentId: number; since: number }[]>;

/**
 * Which department a rep's figures count in, day by day. The directory only knows where reps are now; the history
 * records each change as the rollup (or a dashboard read) sees it, so a rep who moves keeps their past figures in
 * the department they were in. The first observation of a rep stands for all the time before it.
 */
export function createMemberships(deps: { db: Database; now: () => number }) {
  const { db } = deps;
  const { reps, repDepartmentHistory: h } = db.t;

  async function history(corpId: string): Promise<DepartmentHistory> {
    const rows = await db.select().from(h).where(eq(h.corpId, corpId)).orderBy(h.userId, h.since);
    const out: DepartmentHistory = new Map();
    for (const r of rows) {
      const list = out.get(r.userId) ?? [];
      list.push({ departmentId: r.departmentId, since: r.since });
      out.set(r.userId, list);
    }
    return out;
  }

  return {
    history,

    /** Records the reps whose main department differs from the history's latest entry (as of now). */
    async observe(corpId: string): Promise<DepartmentHistory> {
      const known = await history(corpId);
      const current = await db
        .select({ userId: reps.userId, departmentIds: reps.departmentIds })
        .from(reps)
        .where(eq(reps.corpId, corpId));
      const at = deps.now();
      const changes: { corpId: string; userId: string; departmentId: number; since: number }[] = [];
      for (const r of current) {
        const d = mainDepartment(r.departmentIds);
        const list = known.get(r.userId);
        const latest = list?.at(-1);
        if (!latest) changes.push({ corpId, userId: r.userId, departmentId: d, since: 0 });
        else if (latest.departmentId !== d) changes.push({ corpId, userId: r.userId, departmentId: d, since: at });
      }
      if (changes.length === 0) return known;
      for (let i = 0; i < changes.length; i += 200) {
        await db
          .insert(h)
          .values(changes.slice(i, i + 200))
          .onConflictDoNothing();
      }
      return history(corpId);
    },
  };
}
export type Memberships = ReturnType<typeof createMemberships>;

/** The department a rep counted in at `ms` (0 when unknown). */
export function departmentAt(history: DepartmentHistory, userId: string, ms: number): number {
  const list = history.get(userId);
  if (!list || list.length === 0) return 0;
  let found = list[0]!.departmentId;
  for (const entry of list) {
    if (entry.since <= ms) found = entry.departmentId;
    else break;
  }
  return found;
}
