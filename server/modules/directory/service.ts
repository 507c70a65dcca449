import type { Database } from '../../db/database.js';
import type { WecomApi } from '../../wecom/api.js';
import type { User } from '../../wecom/types.js';
import type { DirectoryRepo, RepRow } from './repo.js';

type DirectoryApi = Pick<WecomApi, 'listDepartments' | 'listUsers' | 'getUser'>;

/** Mirrors WeCom's departments and members (reps); WeCom stays the source of truth. */
export function createDirectoryService(deps: {
  db: Database;
  repo: DirectoryRepo;
  api: (corpId: string) => DirectoryApi;
  /** Told after reps or departments were written (the console keeps the directory for 2 s: it forgets it). */
  changed?: (corpId: string) => void;
}) {
  const { db } = deps;
  const upsert = (corpId: string, user: User) =>
    deps.repo.upsertRep(db, {
      corpId,
      userId: user.userid,
      name: user.name,
      position: user.position ?? '',
      avatar: user.avatar ?? '',
      departmentIds: user.department ?? [],
      status: user.status ?? 1,
    });

  async function fetchRep(corpId: string, userId: string): Promise<void> {
    await upsert(corpId, await deps.api(corpId).getUser(userId));
    deps.changed?.(corpId);
  }

  return {
    /** Full sync: every department and every member in them. */
    async syncAll(corpId: string): Promise<{ departments: number; reps: number }> {
      const api = deps.api(corpId);
      const { department } = await api.listDepartments();
      for (const d of department) {
        await deps.repo.upsertDepartment(db, {
          corpId,
          departmentId: d.id,
          name: d.name,
          parentId: d.parentid ?? null,
          order: d.order ?? 0,
        });
      }
      const seen = new Set<string>();
      for (const d of department) {
        const { userlist } = await api.listUsers(d.id);
        for (const u of userlist) {
          if (seen.has(u.userid)) continue;
          seen.add(u.userid);
          await upsert(corpId, u);
        }
      }
      deps.changed?.(corpId);
      return { departments: department.length, reps: seen.size };
    },

    /** Makes sure the reps exist locally, fetching the ones we have never seen. */
    async ensureReps(corpId: string, userIds: string[]): Promise<void> {
      for (const userId of new Set(userIds)) {
        if (!(await deps.repo.findRep(db, corpId, userId))) await fetchRep(corpId, userId);
      }
    },

    findRep(corpId: string, userId: string): Promise<RepRow | undefined> {
      return deps.repo.findRep(db, corpId, userId);
    },
  };
}
export type DirectoryService = ReturnType<typeof createDirectoryService>;
