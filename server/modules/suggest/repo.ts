import { and, asc, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';

export type LearnedPairRow = Database['t']['learnedPairs']['$inferSelect'];
export type NewLearnedPair = Omit<Database['t']['learnedPairs']['$inferInsert'], 'id' | 'createdAt'>;
export type ScriptChangeRow = Database['t']['suggestScriptChanges']['$inferSelect'];
export type ScriptChangeKind = ScriptChangeRow['kind'];
export type FeedbackRow = Database['t']['suggestionFeedback']['$inferSelect'];
export type SuggestionOutcome = FeedbackRow['outcome'];
type ScriptRow = Database['t']['scripts']['$inferSelect'];

/** A live script of a live group, as the engine indexes it and the sidebar shows it. */
export interface LiveScript {
  script: ScriptRow;
  groupName: string;
}

export const FULL_WEIGHT_PPM = 1_000_000;

/**
 * The suggestion engine's storage: the corp's change counter, learned pairs, script changes and suggestion feedback.
 * Reads the script library's tables (owned by the scripts module) without writing them.
 */
export function createSuggestRepo(db: Database) {
  const { learnedPairs, scriptGroups, scripts, suggestScriptChanges, suggestVersions, suggestionFeedback } = db.t;

  const liveScripts = (ex: Executor) =>
    ex
      .select({ script: scripts, groupName: scriptGroups.name })
      .from(scripts)
      .innerJoin(scriptGroups, eq(scriptGroups.id, scripts.groupId));
  const live = (corpId: string) =>
    and(eq(scripts.corpId, corpId), isNull(scripts.deletedAt), isNull(scriptGroups.deletedAt));

  return {
    // ---- the change counter ------------------------------------------------------------------------------------

    async version(ex: Executor, corpId: string): Promise<number> {
      const [row] = await ex
        .select({ version: suggestVersions.version })
        .from(suggestVersions)
        .where(eq(suggestVersions.corpId, corpId))
        .limit(1);
      return row?.version ?? 0;
    },

    /** Increments the corp's version in the caller's transaction (the row lock orders writers) and returns it. */
    async bump(ex: Executor, corpId: string, at: number): Promise<number> {
      const [row] = await ex
        .insert(suggestVersions)
        .values({ corpId, version: 1, updatedAt: at })
        .onConflictDoUpdate({
          target: suggestVersions.corpId,
          set: { version: sql`${suggestVersions.version} + 1`, updatedAt: at },
        })
        .returning({ version: suggestVersions.version });
      return row!.version;
    },

    // ---- scripts (read only) -----------------------------------------------------------------------------------

    async liveScripts(ex: Executor, corpId: string): Promise<LiveScript[]> {
      return liveScripts(ex).where(live(corpId)).orderBy(asc(scripts.id));
    },

    async liveScriptsByIds(ex: Executor, corpId: string, ids: number[]): Promise<LiveScript[]> {
      if (ids.length === 0) return [];
      return liveScripts(ex).where(and(live(corpId), inArray(scripts.id, ids)));
    },

    /** Whether the script is (or was: deleted ones too) one of the corp's. */
    async isScriptOf(ex: Executor, corpId: string, id: number): Promise<boolean> {
      const rows = await ex
        .select({ id: scripts.id })
        .from(scripts)
        .where(and(eq(scripts.corpId, corpId), eq(scripts.id, id)))
        .limit(1);
      return rows.length === 1;
    },

    async liveScriptIdsOfGroup(ex: Executor, corpId: string, groupId: number): Promise<number[]> {
      const rows = await ex
        .select({ id: scripts.id })
        .from(scripts)
        .where(and(eq(scripts.corpId, corpId), eq(scripts.groupId, groupId), isNull(scripts.deletedAt)));
      return rows.map((r) => r.id);
    },

    // ---- learned pairs -----------------------------------------------------------------------------------------

    /** Stores a pair unless one with its source key exists; true when stored. */
    async insertPair(ex: Executor, pair: NewLearnedPair): Promise<boolean> {
      const rows = await ex
        .insert(learnedPairs)
        .values(pair)
        .onConflictDoNothing({ target: [learnedPairs.corpId, learnedPairs.sourceKey] })
        .returning({ id: learnedPairs.id });
      return rows.length === 1;
    },

    async hasPair(ex: Executor, corpId: string, sourceKey: string): Promise<boolean> {
      const rows = await ex
        .select({ id: learnedPairs.id })
        .from(learnedPairs)
        .where(and(eq(learnedPairs.corpId, corpId), eq(learnedPairs.sourceKey, sourceKey)))
        .limit(1);
      return rows.length === 1;
    },

    /** Pairs written after version `after` up to `upTo`, in order (an instance catching up). */
    async pairsBetween(ex: Executor, corpId: string, after: number, upTo: number): Promise<LearnedPairRow[]> {
      return ex
        .select()
        .from(learnedPairs)
        .where(and(eq(learnedPairs.corpId, corpId), gt(learnedPairs.version, after), lte(learnedPairs.version, upTo)))
        .orderBy(asc(learnedPairs.version), asc(learnedPairs.id));
    },

    async pairsOfScript(ex: Executor, corpId: string, scriptId: number, upTo: number): Promise<LearnedPairRow[]> {
      return ex
        .select()
        .from(learnedPairs)
        .where(
          and(eq(learnedPairs.corpId, corpId), eq(learnedPairs.scriptId, scriptId), lte(learnedPairs.version, upTo)),
        )
        .orderBy(asc(learnedPairs.version), asc(learnedPairs.id));
    },

    /**
     * Multiplies the weight of a script's pairs by `factor` (an edit of the script); pairs reaching 0 are deleted.
     * One statement per distinct weight (a script's pairs share a handful: 1, then ½, ¼ … after edits).
     */
    async scalePairs(ex: Executor, corpId: string, scriptId: number, factor: number): Promise<void> {
      const ofScript = and(eq(learnedPairs.corpId, corpId), eq(learnedPairs.scriptId, scriptId));
      const weights = await ex.selectDistinct({ weight: learnedPairs.weightPpm }).from(learnedPairs).where(ofScript);
      for (const { weight } of weights) {
        const scaled = Math.floor(weight * factor);
        const same = and(ofScript, eq(learnedPairs.weightPpm, weight));
        if (scaled <= 0) await ex.delete(learnedPairs).where(same);
        else if (scaled !== weight) await ex.update(learnedPairs).set({ weightPpm: scaled }).where(same);
      }
    },

    async deletePairsOfScript(ex: Executor, corpId: string, scriptId: number): Promise<void> {
      await ex.delete(learnedPairs).where(and(eq(learnedPairs.corpId, corpId), eq(learnedPairs.scriptId, scriptId)));
    },

    /** Deletes what a customer's messages taught; returns the scripts concerned. */
    async deletePairsOfCustomer(ex: Executor, corpId: string, externalUserId: string): Promise<number[]> {
      const rows = await ex
        .delete(learnedPairs)
        .where(and(eq(learnedPairs.corpId, corpId), eq(learnedPairs.externalUserId, externalUserId)))
        .returning({ scriptId: learnedPairs.scriptId });
      return [...new Set(rows.map((r) => r.scriptId))];
    },

    // ---- script changes ----------------------------------------------------------------------------------------

    async addScriptChanges(
      ex: Executor,
      corpId: string,
      version: number,
      changes: Array<{ scriptId: number; kind: ScriptChangeKind }>,
      at: number,
    ): Promise<void> {
      if (changes.length === 0) return;
      await ex.insert(suggestScriptChanges).values(changes.map((c) => ({ corpId, version, at, ...c })));
    },

    async scriptChangesBetween(ex: Executor, corpId: string, after: number, upTo: number): Promise<ScriptChangeRow[]> {
      return ex
        .select()
        .from(suggestScriptChanges)
        .where(
          and(
            eq(suggestScriptChanges.corpId, corpId),
            gt(suggestScriptChanges.version, after),
            lte(suggestScriptChanges.version, upTo),
          ),
        )
        .orderBy(asc(suggestScriptChanges.version), asc(suggestScriptChanges.id));
    },

    // ---- feedback ----------------------------------------------------------------------------------------------

    /**
     * Records what became of a shown suggestion, once: `shown` inserts the row if it is not there; a decision (sent,
     * edited, ignored) inserts it decided, or decides a row still `shown`. Anything else changes nothing.
     */
    async recordFeedback(
      ex: Executor,
      row: Omit<Database['t']['suggestionFeedback']['$inferInsert'], 'id' | 'outcome' | 'shownAt' | 'decidedAt'>,
      outcome: SuggestionOutcome,
      at: number,
    ): Promise<{ outcome: SuggestionOutcome; changed: boolean }> {
      const target = [
        suggestionFeedback.corpId,
        suggestionFeedback.userId,
        suggestionFeedback.externalUserId,
        suggestionFeedback.messageKey,
        suggestionFeedback.scriptId,
      ];
      const values = { ...row, outcome, shownAt: at, decidedAt: outcome === 'shown' ? null : at };
      const insert = ex.insert(suggestionFeedback).values(values);
      const written =
        outcome === 'shown'
          ? await insert.onConflictDoNothing({ target }).returning({ outcome: suggestionFeedback.outcome })
          : await insert
              .onConflictDoUpdate({
                target,
                set: { outcome, decidedAt: at },
                setWhere: eq(suggestionFeedback.outcome, 'shown'),
              })
              .returning({ outcome: suggestionFeedback.outcome });
      if (written.length === 1) return { outcome, changed: true };
      const [current] = await ex
        .select({ outcome: suggestionFeedback.outcome })
        .from(suggestionFeedback)
        .where(
          and(
            eq(suggestionFeedback.corpId, row.corpId),
            eq(suggestionFeedback.userId, row.userId),
            eq(suggestionFeedback.externalUserId, row.externalUserId),
            eq(suggestionFeedback.messageKey, row.messageKey),
            eq(suggestionFeedback.scriptId, row.scriptId),
          ),
        )
        .limit(1);
      return { outcome: current?.outcome ?? outcome, changed: false };
    },

    async deleteFeedbackOfCustomer(ex: Executor, corpId: string, externalUserId: string): Promise<void> {
      await ex
        .delete(suggestionFeedback)
        .where(and(eq(suggestionFeedback.corpId, corpId), eq(suggestionFeedback.externalUserId, externalUserId)));
    },
  };
}
export type SuggestRepo = ReturnType<typeof createSuggestRepo>;
