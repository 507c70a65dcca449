import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import type { ScriptGroupRow, ScriptRow } from '../scripts/repo.js';

/** The whole live library as the import and export see it. */
export interface Library {
  /** Live groups, in display order. */
  groups: ScriptGroupRow[];
  /** Live scripts of live groups, in display order (group order, then script order). */
  scripts: { script: ScriptRow; groupName: string }[];
}

export function createConsoleScriptRepo(db: Database) {
  const { scriptGroups, scripts } = db.t;
  return {
    async library(ex: Executor, corpId: string): Promise<Library> {
      const groups = await ex
        .select()
        .from(scriptGroups)
        .where(and(eq(scriptGroups.corpId, corpId), isNull(scriptGroups.deletedAt)))
        .orderBy(asc(scriptGroups.order), asc(scriptGroups.id));
      const rows = await ex
        .select({ script: scripts, groupName: scriptGroups.name })
        .from(scripts)
        .innerJoin(scriptGroups, eq(scriptGroups.id, scripts.groupId))
        .where(and(eq(scripts.corpId, corpId), isNull(scripts.deletedAt), isNull(scriptGroups.deletedAt)))
        .orderBy(asc(scriptGroups.order), asc(scriptGroups.id), asc(scripts.order), asc(scripts.id));
      return { groups, scripts: rows };
    },
  };
}
export type ConsoleScriptRepo = ReturnType<typeof createConsoleScriptRepo>;
