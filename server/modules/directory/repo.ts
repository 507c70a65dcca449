import { and, eq, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { sqlNow } from '../../db/sql-now.js';

export type RepRow = Database['t']['reps']['$inferSelect'];

export interface RepProfile {
  corpId: string;
  userId: string;
  name: string;
  position: string;
  avatar: string;
  departmentIds: number[];
  status: number;
}

export function createDirectoryRepo(db: Database) {
  const { departments, reps } = db.t;
  const findRep = db.prepared<{ corpId: string; userId: string }, RepRow[]>('reps_find', (ex) =>
    ex
      .select()
      .from(reps)
      .where(and(eq(reps.corpId, sql.placeholder('corpId')), eq(reps.userId, sql.placeholder('userId'))))
      .limit(1),
  );
  const now = sqlNow(db);
  return {
    async upsertDepartment(
      ex: Executor,
      d: { corpId: string; departmentId: number; name: string; parentId: number | null; order: number },
    ): Promise<void> {
      await ex
        .insert(departments)
        .values(d)
        .onConflictDoUpdate({
          target: [departments.corpId, departments.departmentId],
          set: { name: d.name, parentId: d.parentId, order: d.order, updatedAt: now },
        });
    },
    async upsertRep(ex: Executor, r: RepProfile): Promise<void> {
      await ex
        .insert(reps)
        .values(r)
        .onConflictDoUpdate({
          target: [reps.corpId, reps.userId],
          set: {
            name: r.name,
            position: r.position,
            avatar: r.avatar,
            departmentIds: r.departmentIds,
            status: r.status,
            updatedAt: now,
          },
        });
    },
    async findRep(ex: Executor, corpId: string, userId: string): Promise<RepRow | undefined> {
      const [row] = await findRep(ex, { corpId, userId });
      return row;
    },
    async listReps(ex: Executor, corpId: string): Promise<RepRow[]> {
      return ex.select().from(reps).where(eq(reps.corpId, corpId)).orderBy(reps.userId);
    },
  };
}
export type DirectoryRepo = ReturnType<typeof createDirectoryRepo>;
