import { and, asc, desc, eq, inArray, lt, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';

export type KeywordRuleRow = Database['t']['keywordRules']['$inferSelect'];
export type KeywordAlertInsert = Database['t']['keywordAlerts']['$inferInsert'];

/** Keyword rules (敏感词) and the alerts they raised. */
export function createKeywordRepo(db: Database) {
  const { keywordRules, keywordAlerts, messages } = db.t;
  return {
    async rules(ex: Executor, corpId: string): Promise<KeywordRuleRow[]> {
      return ex.select().from(keywordRules).where(eq(keywordRules.corpId, corpId)).orderBy(asc(keywordRules.id));
    },

    async enabledRules(ex: Executor, corpId: string): Promise<KeywordRuleRow[]> {
      return ex
        .select()
        .from(keywordRules)
        .where(and(eq(keywordRules.corpId, corpId), eq(keywordRules.enabled, true)))
        .orderBy(asc(keywordRules.id));
    },

    async rule(ex: Executor, corpId: string, id: number): Promise<KeywordRuleRow | undefined> {
      const [row] = await ex
        .select()
        .from(keywordRules)
        .where(and(eq(keywordRules.corpId, corpId), eq(keywordRules.id, id)))
        .limit(1);
      return row;
    },

    async insertRule(ex: Executor, row: Database['t']['keywordRules']['$inferInsert']): Promise<number> {
      const [created] = await ex.insert(keywordRules).values(row).returning({ id: keywordRules.id });
      return created!.id;
    },

    async updateRule(
      ex: Executor,
      corpId: string,
      id: number,
      set: Partial<Database['t']['keywordRules']['$inferInsert']>,
    ): Promise<boolean> {
      const changed = await ex
        .update(keywordRules)
        .set(set)
        .where(and(eq(keywordRules.corpId, corpId), eq(keywordRules.id, id)))
        .returning({ id: keywordRules.id });
      return changed.length > 0;
    },

    /** Deletes the rule; its alerts stay (they say what happened), named by the rule's id. */
    async deleteRule(ex: Executor, corpId: string, id: number): Promise<boolean> {
      const gone = await ex
        .delete(keywordRules)
        .where(and(eq(keywordRules.corpId, corpId), eq(keywordRules.id, id)))
        .returning({ id: keywordRules.id });
      return gone.length > 0;
    },

    /** One alert per rule and message: a replayed batch adds nothing. */
    async insertAlerts(ex: Executor, rows: KeywordAlertInsert[]): Promise<number> {
      if (rows.length === 0) return 0;
      const inserted = await ex
        .insert(keywordAlerts)
        .values(rows)
        .onConflictDoNothing()
        .returning({ id: keywordAlerts.id });
      return inserted.length;
    },

    /** Newest first; `before` is the id of the last alert of the previous page. */
    async alerts(
      ex: Executor,
      corpId: string,
      f: { ruleId?: number; userId?: string; externalUserId?: string; before?: number; limit: number },
    ) {
      const conditions: SQL[] = [eq(keywordAlerts.corpId, corpId)];
      if (f.ruleId) conditions.push(eq(keywordAlerts.ruleId, f.ruleId));
      if (f.userId) conditions.push(eq(keywordAlerts.userId, f.userId));
      if (f.externalUserId) conditions.push(eq(keywordAlerts.externalUserId, f.externalUserId));
      if (f.before) conditions.push(lt(keywordAlerts.id, f.before));
      return ex
        .select({
          id: keywordAlerts.id,
          ruleId: keywordAlerts.ruleId,
          matched: keywordAlerts.matched,
          direction: keywordAlerts.direction,
          userId: keywordAlerts.userId,
          externalUserId: keywordAlerts.externalUserId,
          messageId: keywordAlerts.messageId,
          text: messages.text,
          sentAt: keywordAlerts.sentAt,
          createdAt: keywordAlerts.createdAt,
        })
        .from(keywordAlerts)
        .innerJoin(messages, eq(messages.id, keywordAlerts.messageId))
        .where(and(...conditions))
        .orderBy(desc(keywordAlerts.id))
        .limit(f.limit);
    },

    async ruleNames(ex: Executor, ids: number[]): Promise<Map<number, string>> {
      if (ids.length === 0) return new Map();
      const rows = await ex
        .select({ id: keywordRules.id, name: keywordRules.name })
        .from(keywordRules)
        .where(inArray(keywordRules.id, ids));
      return new Map(rows.map((r) => [r.id, r.name]));
    },
  };
}
export type KeywordRepo = ReturnType<typeof createKeywordRepo>;
