import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../db/database.js';
import type { SessionRepo } from './session-repo.js';

const DAY_MS = 86_400_000;
/** A session unused this long is over. */
export const SESSION_IDLE_MS = 7 * DAY_MS;
/** A session is over this long after sign-in, used or not. */
export const SESSION_ABSOLUTE_MS = 30 * DAY_MS;
/** lastSeenAt is written at most this often, so reads stay reads. */
const TOUCH_EVERY_MS = 60_000;

/** Who a valid session belongs to. */
export interface SessionUser {
  corpId: string;
  userId: string;
}

/** The database keeps only this digest: a leaked database does not yield usable cookies. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Server-side sessions of reps signed in through WeCom OAuth. */
export function createSessionService(deps: { db: Database; repo: SessionRepo; now: () => number }) {
  const { db, repo } = deps;
  return {
    /** Starts a session; the token goes into the cookie and nowhere else. Purges expired sessions on the way. */
    async create(user: SessionUser): Promise<{ token: string; expiresAt: number }> {
      const now = deps.now();
      await repo.purge(db, now, now - SESSION_IDLE_MS);
      const token = randomBytes(32).toString('base64url');
      const expiresAt = now + SESSION_ABSOLUTE_MS;
      await repo.insert(db, {
        tokenHash: hashSessionToken(token),
        corpId: user.corpId,
        userId: user.userId,
        createdAt: now,
        expiresAt,
        lastSeenAt: now,
      });
      return { token, expiresAt };
    },

    /** The session's user, or null when the token is unknown, idle too long or past its absolute expiry. */
    async resolve(token: string): Promise<SessionUser | null> {
      // A well-formed token is 43 base64url characters; anything else cannot match, so skip the lookup.
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
      const hash = hashSessionToken(token);
      const row = await repo.find(db, hash);
      if (!row) return null;
      const now = deps.now();
      if (row.expiresAt <= now || row.lastSeenAt + SESSION_IDLE_MS <= now) {
        await repo.delete(db, hash);
        return null;
      }
      if (now - row.lastSeenAt >= TOUCH_EVERY_MS) await repo.touch(db, hash, now);
      return { corpId: row.corpId, userId: row.userId };
    },

    async destroy(token: string): Promise<void> {
      await repo.delete(db, hashSessionToken(token));
    },

    async purgeExpired(): Promise<number> {
      const now = deps.now();
      return repo.purge(db, now, now - SESSION_IDLE_MS);
    },
  };
}
export type SessionService = ReturnType<typeof createSessionService>;
