import type { WecomApi } from '../../wecom/api.js';
import type { User } from '../../wecom/types.js';
import type { DirectoryRepo, RepRow } from './repo.js';

type DirectoryApi = Pick<WecomApi, 'listDepartments' | 'listUsers' | 'getUser'>;

/** Mirrors WeCom's departments and members (reps); WeCom stays the source of truth. */
export function createDirectoryService(deps: { repo: DirectoryRepo; api: (corpId: string) => DirectoryApi }) {
  const upsert = (corpId: string, user: User) =>
    deps.repo.upsertRep({
      corpId,
      userId: user.userid,
      name: user.name,
      position: user.position ?? '',
      avatar: user.avatar ?? '',
      departmentIds: user.department ?? [],
      status: user.status ?? 1,
    });

  async function fetchRep(corpId: string, userId: string): Promise<void> {
    upsert(corpId, await deps.api(corpId).getUser(userId));
  }

  return {
    /** Full sync: every department and every member in them. */
    async syncAll(corpId: string): Promise<{ departments: number; reps: number }> {
      const api = deps.api(corpId);
      const { department } = await api.listDepartments();
      for (const d of department) {
        deps.repo.upsertDepartment({
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
          upsert(corpId, u);
        }
      }
      return { departments: department.length, reps: seen.size };
    },

    /** Makes sure the reps exist locally, fetching the ones we have never seen. */
    async ensureReps(corpId: string, userIds: string[]): Promise<void> {
      for (const userId of new Set(userIds)) {
        if (!deps.repo.findRep(corpId, userId)) await fetchRep(corpId, userId);
      }
    },

    findRep(corpId: string, userId: string): RepRow | undefined {
      return deps.repo.findRep(corpId, userId);
    },
  };
}
export type DirectoryService = ReturnType<typeof createDirectoryService>;
