import { eq } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { sqlNow } from '../../db/sql-now.js';

export type WorkCalendarRow = Database['t']['workCalendars']['$inferSelect'];

export function createWorkCalendarRepo(db: Database) {
  const { workCalendars } = db.t;
  const now = sqlNow(db);
  return {
    async find(ex: Executor, corpId: string): Promise<WorkCalendarRow | undefined> {
      const [row] = await ex.select().from(workCalendars).where(eq(workCalendars.corpId, corpId)).limit(1);
      return row;
    },
    async save(
      ex: Executor,
      corpId: string,
      weekly: WorkCalendarRow['weekly'],
      exceptions: WorkCalendarRow['exceptions'],
    ) {
      await ex
        .insert(workCalendars)
        .values({ corpId, weekly, exceptions })
        .onConflictDoUpdate({ target: workCalendars.corpId, set: { weekly, exceptions, updatedAt: now } });
    },
  };
}
export type WorkCalendarRepo = ReturnType<typeof createWorkCalendarRepo>;
