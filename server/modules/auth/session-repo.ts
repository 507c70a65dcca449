import { and, eq, gt, lte, or } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';

export type SessionRow = Database['t']['sessions']['$inferSelect'];

export function createSessionRepo(db: Database) {
  const { sessions, oauthStates } = db.t;
  return {
    async insert(ex: Executor, row: SessionRow): Promise<void> {
      await ex.insert(sessions).values(row);
    },

    async find(ex: Executor, tokenHash: string): Promise<SessionRow | undefined> {
      const [row] = await ex.select().from(sessions).where(eq(sessions.tokenHash, tokenHash)).limit(1);
      return row;
    },

    async touch(ex: Executor, tokenHash: string, at: number): Promise<void> {
      await ex.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.tokenHash, tokenHash));
    },

    async delete(ex: Executor, tokenHash: string): Promise<void> {
      await ex.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
    },

    /** Removes sessions past their absolute expiry or idle since `idleBefore`; returns how many. */
    async purge(ex: Executor, now: number, idleBefore: number): Promise<number> {
      const purged = await ex
        .delete(sessions)
        .where(or(lte(sessions.expiresAt, now), lte(sessions.lastSeenAt, idleBefore)))
        .returning({ tokenHash: sessions.tokenHash });
      return purged.length;
    },

    async insertOAuthState(ex: Executor, row: Database['t']['oauthStates']['$inferInsert']): Promise<void> {
      await ex.insert(oauthStates).values(row);
    },

    /**
     * Takes the state if it is there and unexpired, in one statement: of two callbacks racing with the same state,
     * on one instance or several sharing the database, exactly one deletes the row and gets true.
     */
    async consumeOAuthState(ex: Executor, stateHash: string, now: number): Promise<boolean> {
      const taken = await ex
        .delete(oauthStates)
        .where(and(eq(oauthStates.stateHash, stateHash), gt(oauthStates.expiresAt, now)))
        .returning({ stateHash: oauthStates.stateHash });
      return taken.length === 1;
    },

    /** Removes OAuth states past their expiry; returns how many. */
    async purgeOAuthStates(ex: Executor, now: number): Promise<number> {
      const purged = await ex
        .delete(oauthStates)
        .where(lte(oauthStates.expiresAt, now))
        .returning({ stateHash: oauthStates.stateHash });
      return purged.length;
    },
  };
}
export type SessionRepo = ReturnType<typeof createSessionRepo>;
