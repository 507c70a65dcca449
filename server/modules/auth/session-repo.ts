import { and, eq, gt, lte, or } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { oauthStates, sessions } from '../../db/schema.js';

export type SessionRow = typeof sessions.$inferSelect;

export function createSessionRepo(db: Db) {
  return {
    insert(row: SessionRow): void {
      db.insert(sessions).values(row).run();
    },

    find(tokenHash: string): SessionRow | undefined {
      return db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash)).get();
    },

    touch(tokenHash: string, at: number): void {
      db.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.tokenHash, tokenHash)).run();
    },

    delete(tokenHash: string): void {
      db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).run();
    },

    /** Removes sessions past their absolute expiry or idle since `idleBefore`; returns how many. */
    purge(now: number, idleBefore: number): number {
      return db
        .delete(sessions)
        .where(or(lte(sessions.expiresAt, now), lte(sessions.lastSeenAt, idleBefore)))
        .run().changes;
    },

    insertOAuthState(row: typeof oauthStates.$inferInsert): void {
      db.insert(oauthStates).values(row).run();
    },

    /**
     * Takes the state if it is there and unexpired, in one statement: of two callbacks racing with the same state,
     * on one instance or several sharing the database, exactly one deletes the row and gets true.
     */
    consumeOAuthState(stateHash: string, now: number): boolean {
      return (
        db
          .delete(oauthStates)
          .where(and(eq(oauthStates.stateHash, stateHash), gt(oauthStates.expiresAt, now)))
          .run().changes === 1
      );
    },

    /** Removes OAuth states past their expiry; returns how many. */
    purgeOAuthStates(now: number): number {
      return db.delete(oauthStates).where(lte(oauthStates.expiresAt, now)).run().changes;
    },
  };
}
export type SessionRepo = ReturnType<typeof createSessionRepo>;
