import { and, asc, eq, gt, inArray, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { sqlNow } from '../../db/sql-now.js';

export type AccountRow = Database['t']['consoleAccounts']['$inferSelect'];
export type NewAccount = Database['t']['consoleAccounts']['$inferInsert'];
export type ConsoleSessionRow = Database['t']['consoleSessions']['$inferSelect'];
export type CorpSettingsRow = Database['t']['corpSettings']['$inferSelect'];
export type DepartmentRow = Database['t']['departments']['$inferSelect'];
export type RepRow = Database['t']['reps']['$inferSelect'];

/** Console accounts, sessions and corp settings; and the directory reads the console needs. */
export function createConsoleAuthRepo(db: Database) {
  const { consoleAccounts: a, consoleSessions: s, corpSettings, departments, reps } = db.t;
  const now = sqlNow(db);
  return {
    // ---- accounts -------------------------------------------------------------------------------------------------

    async insertAccount(ex: Executor, row: NewAccount): Promise<number> {
      const [created] = await ex.insert(a).values(row).returning({ id: a.id });
      return created!.id;
    },

    async findAccount(ex: Executor, corpId: string, id: number): Promise<AccountRow | undefined> {
      const [row] = await ex
        .select()
        .from(a)
        .where(and(eq(a.corpId, corpId), eq(a.id, id)))
        .limit(1);
      return row;
    },

    async findByUsername(ex: Executor, corpId: string, username: string): Promise<AccountRow | undefined> {
      const [row] = await ex
        .select()
        .from(a)
        .where(and(eq(a.corpId, corpId), eq(a.username, username.toLowerCase())))
        .limit(1);
      return row;
    },

    async findByMember(ex: Executor, corpId: string, userId: string): Promise<AccountRow | undefined> {
      const [row] = await ex
        .select()
        .from(a)
        .where(and(eq(a.corpId, corpId), eq(a.userId, userId)))
        .limit(1);
      return row;
    },

    async findLocalByName(ex: Executor, corpId: string, name: string): Promise<AccountRow | undefined> {
      const [row] = await ex
        .select()
        .from(a)
        .where(and(eq(a.corpId, corpId), eq(a.kind, 'local'), eq(a.name, name)))
        .limit(1);
      return row;
    },

    listAccounts(ex: Executor, corpId: string): Promise<AccountRow[]> {
      return ex.select().from(a).where(eq(a.corpId, corpId)).orderBy(asc(a.id));
    },

    async updateAccount(ex: Executor, corpId: string, id: number, patch: Partial<NewAccount>): Promise<boolean> {
      const changed = await ex
        .update(a)
        .set({ ...patch, updatedAt: now })
        .where(and(eq(a.corpId, corpId), eq(a.id, id)))
        .returning({ id: a.id });
      return changed.length === 1;
    },

    async deleteAccount(ex: Executor, corpId: string, id: number): Promise<void> {
      await ex.delete(a).where(and(eq(a.corpId, corpId), eq(a.id, id)));
    },

    /** Active admin accounts other than `exceptId`. */
    async countOtherActiveAdmins(ex: Executor, corpId: string, exceptId: number): Promise<number> {
      const [row] = await ex
        .select({ n: sql<number>`count(*)` })
        .from(a)
        .where(and(eq(a.corpId, corpId), eq(a.role, 'admin'), isNull(a.disabledAt), ne(a.id, exceptId)));
      return Number(row?.n ?? 0);
    },

    /**
     * Counts a wrong password, in one statement (instances racing on one account each count): a lockout that has
     * ended starts the count again; reaching `threshold` locks the account until `lockUntil`. Returns the new state.
     */
    async recordFailure(
      ex: Executor,
      id: number,
      at: number,
      threshold: number,
      lockUntil: number,
    ): Promise<{ failedAttempts: number; lockedUntil: number | null } | undefined> {
      const expired = sql`(${a.lockedUntil} IS NOT NULL AND ${a.lockedUntil} <= ${at})`;
      const next = sql`(CASE WHEN ${expired} THEN 1 ELSE ${a.failedAttempts} + 1 END)`;
      const [row] = await ex
        .update(a)
        .set({
          failedAttempts: next,
          lockedUntil: sql`(CASE WHEN ${next} >= ${threshold} THEN ${lockUntil} WHEN ${expired} THEN NULL ELSE ${a.lockedUntil} END)`,
          updatedAt: at,
        })
        .where(eq(a.id, id))
        .returning({ failedAttempts: a.failedAttempts, lockedUntil: a.lockedUntil });
      return row;
    },

    async recordLogin(ex: Executor, id: number, at: number): Promise<void> {
      await ex
        .update(a)
        .set({ failedAttempts: 0, lockedUntil: null, lastLoginAt: at, updatedAt: at })
        .where(eq(a.id, id));
    },

    // ---- sessions -------------------------------------------------------------------------------------------------

    async insertSession(ex: Executor, row: ConsoleSessionRow): Promise<void> {
      await ex.insert(s).values(row);
    },

    /** The session and its account, in one read. */
    async findSession(
      ex: Executor,
      tokenHash: string,
    ): Promise<{ session: ConsoleSessionRow; account: AccountRow } | undefined> {
      const [row] = await ex
        .select({ session: s, account: a })
        .from(s)
        .innerJoin(a, eq(a.id, s.accountId))
        .where(eq(s.tokenHash, tokenHash))
        .limit(1);
      return row;
    },

    async touchSession(ex: Executor, tokenHash: string, at: number): Promise<void> {
      await ex.update(s).set({ lastSeenAt: at }).where(eq(s.tokenHash, tokenHash));
    },

    async deleteSession(ex: Executor, tokenHash: string): Promise<void> {
      await ex.delete(s).where(eq(s.tokenHash, tokenHash));
    },

    /** Ends every session of an account, but `keep` (the one changing its own password). */
    async deleteSessionsOf(ex: Executor, accountId: number, keep?: string): Promise<number> {
      const gone = await ex
        .delete(s)
        .where(keep ? and(eq(s.accountId, accountId), ne(s.tokenHash, keep)) : eq(s.accountId, accountId))
        .returning({ tokenHash: s.tokenHash });
      return gone.length;
    },

    /** Sessions past their absolute expiry, or unused since `idleBefore`. */
    async purgeSessions(ex: Executor, at: number, idleBefore: number): Promise<number> {
      const gone = await ex
        .delete(s)
        .where(or(lte(s.expiresAt, at), lte(s.lastSeenAt, idleBefore)))
        .returning({ tokenHash: s.tokenHash });
      return gone.length;
    },

    async sessionsOf(ex: Executor, accountId: number, at: number): Promise<number> {
      const [row] = await ex
        .select({ n: sql<number>`count(*)` })
        .from(s)
        .where(and(eq(s.accountId, accountId), gt(s.expiresAt, at)));
      return Number(row?.n ?? 0);
    },

    // ---- settings -------------------------------------------------------------------------------------------------

    async findSettings(ex: Executor, corpId: string): Promise<CorpSettingsRow | undefined> {
      const [row] = await ex.select().from(corpSettings).where(eq(corpSettings.corpId, corpId)).limit(1);
      return row;
    },

    async saveSettings(ex: Executor, row: Omit<CorpSettingsRow, 'createdAt' | 'updatedAt'>): Promise<void> {
      const { corpId: _corpId, ...fields } = row;
      await ex
        .insert(corpSettings)
        .values(row)
        .onConflictDoUpdate({ target: corpSettings.corpId, set: { ...fields, updatedAt: now } });
    },

    // ---- directory ------------------------------------------------------------------------------------------------

    departments(ex: Executor, corpId: string): Promise<DepartmentRow[]> {
      return ex
        .select()
        .from(departments)
        .where(eq(departments.corpId, corpId))
        .orderBy(asc(departments.order), asc(departments.departmentId));
    },

    reps(ex: Executor, corpId: string): Promise<RepRow[]> {
      return ex.select().from(reps).where(eq(reps.corpId, corpId)).orderBy(asc(reps.userId));
    },

    repsByIds(ex: Executor, corpId: string, userIds: string[]): Promise<RepRow[]> {
      if (userIds.length === 0) return Promise.resolve([]);
      return ex
        .select()
        .from(reps)
        .where(and(eq(reps.corpId, corpId), inArray(reps.userId, userIds)));
    },
  };
}
export type ConsoleAuthRepo = ReturnType<typeof createConsoleAuthRepo>;
