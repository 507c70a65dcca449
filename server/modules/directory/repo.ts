import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { departments, reps } from '../../db/schema.js';

export type RepRow = typeof reps.$inferSelect;

export interface RepProfile {
  corpId: string;
  userId: string;
  name: string;
  position: string;
  avatar: string;
  departmentIds: number[];
  status: number;
}

const nowMs = sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`;

export function createDirectoryRepo(db: Db) {
  return {
    upsertDepartment(d: {
      corpId: string;
      departmentId: number;
      name: string;
      parentId: number | null;
      order: number;
    }) {
      db.insert(departments)
        .values(d)
        .onConflictDoUpdate({
          target: [departments.corpId, departments.departmentId],
          set: { name: d.name, parentId: d.parentId, order: d.order, updatedAt: nowMs },
        })
        .run();
    },
    upsertRep(r: RepProfile): void {
      const values = { ...r, departmentIds: JSON.stringify(r.departmentIds) };
      db.insert(reps)
        .values(values)
        .onConflictDoUpdate({
          target: [reps.corpId, reps.userId],
          set: {
            name: values.name,
            position: values.position,
            avatar: values.avatar,
            departmentIds: values.departmentIds,
            status: values.status,
            updatedAt: nowMs,
          },
        })
        .run();
    },
    findRep(corpId: string, userId: string): RepRow | undefined {
      return db
        .select()
        .from(reps)
        .where(and(eq(reps.corpId, corpId), eq(reps.userId, userId)))
        .get();
    },
    listReps(corpId: string): RepRow[] {
      return db.select().from(reps).where(eq(reps.corpId, corpId)).orderBy(reps.userId).all();
    },
  };
}
export type DirectoryRepo = ReturnType<typeof createDirectoryRepo>;
