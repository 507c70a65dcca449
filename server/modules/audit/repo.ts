import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { contains } from '../like-pattern.js';

export type AuditRow = Database['t']['auditLog']['$inferSelect'];
export type NewAuditRow = Database['t']['auditLog']['$inferInsert'];

export interface AuditFilter {
  fromMs?: number;
  toMs?: number;
  actor?: string;
  /** Exact action, or a prefix ending with a dot. */
  action?: string;
  targetType?: string;
  targetId?: string;
  before?: { at: number; id: number };
}

export function createAuditRepo(db: Database) {
  const { auditLog: t } = db.t;

  function where(corpId: string, f: AuditFilter): SQL {
    const conditions: (SQL | undefined)[] = [eq(t.corpId, corpId)];
    if (f.fromMs !== undefined) conditions.push(gte(t.at, f.fromMs));
    if (f.toMs !== undefined) conditions.push(lt(t.at, f.toMs));
    if (f.action) {
      // A prefix is a range on the index (`channel.` … `channel/`), not a LIKE.
      conditions.push(
        f.action.endsWith('.')
          ? and(gte(t.action, f.action), lt(t.action, `${f.action.slice(0, -1)}/`))
          : eq(t.action, f.action),
      );
    }
    if (f.targetType) conditions.push(eq(t.targetType, f.targetType));
    if (f.targetId) conditions.push(eq(t.targetId, f.targetId));
    if (f.actor) {
      conditions.push(or(contains(t.actorName, f.actor), contains(sql`coalesce(${t.actorId}, '')`, f.actor)));
    }
    if (f.before) conditions.push(sql`(${t.at}, ${t.id}) < (${f.before.at}, ${f.before.id})`);
    return and(...conditions)!;
  }

  return {
    async insert(ex: Executor, row: NewAuditRow): Promise<number> {
      const [created] = await ex.insert(t).values(row).returning({ id: t.id });
      return created!.id;
    },

    /** The name of a channel, script, script group, tag or tag group by id (deleted ones too), for the log. */
    async nameOf(ex: Executor, corpId: string, targetType: string, id: string): Promise<string | null> {
      const { channels, scripts, scriptGroups, tags, tagGroups } = db.t;
      const numeric = /^\d{1,15}$/.test(id) ? Number(id) : null;
      let rows: { name: string }[] = [];
      if (targetType === 'channel' && numeric !== null) {
        rows = await ex
          .select({ name: channels.name })
          .from(channels)
          .where(and(eq(channels.corpId, corpId), eq(channels.id, numeric)))
          .limit(1);
      } else if (targetType === 'script' && numeric !== null) {
        rows = await ex
          .select({ name: scripts.title })
          .from(scripts)
          .where(and(eq(scripts.corpId, corpId), eq(scripts.id, numeric)))
          .limit(1);
      } else if (targetType === 'script_group' && numeric !== null) {
        rows = await ex
          .select({ name: scriptGroups.name })
          .from(scriptGroups)
          .where(and(eq(scriptGroups.corpId, corpId), eq(scriptGroups.id, numeric)))
          .limit(1);
      } else if (targetType === 'tag') {
        rows = await ex
          .select({ name: tags.name })
          .from(tags)
          .where(and(eq(tags.corpId, corpId), eq(tags.tagId, id)))
          .limit(1);
      } else if (targetType === 'tag_group') {
        rows = await ex
          .select({ name: tagGroups.name })
          .from(tagGroups)
          .where(and(eq(tagGroups.corpId, corpId), eq(tagGroups.groupId, id)))
          .limit(1);
      }
      return rows[0]?.name ?? null;
    },

    page(ex: Executor, corpId: string, f: AuditFilter, limit: number): Promise<AuditRow[]> {
      return ex.select().from(t).where(where(corpId, f)).orderBy(desc(t.at), desc(t.id)).limit(limit);
    },
  };
}
export type AuditRepo = ReturnType<typeof createAuditRepo>;
