import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../db/database.js';
import type { SessionRepo } from './session-repo.js';

const HOUR_MS = 3_600_000;
// Session lifetimes. WeCom signs a rep in again without a click (snsapi_base inside the WeCom client, and the
// sidebar's client does it on a 401), so a short session costs one redirect, while it bounds how long a stolen
// cookie, or the session of a rep who has left the company, stays usable.
/** A session unused this long is over (a working day; the next morning starts a new one). */
export const SESSION_IDLE_MS = 8 * HOUR_MS;
/** A session is over this long after sign-in, used or not. */
export const SESSION_ABSOLUTE_MS = 12 * HOUR_MS;
/** An OAuth sign-in must come back from WeCom within this time (its state is then spent, used or not). */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;
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

/** Likewise for OAuth states: a state read from the database cannot complete anyone's sign-in. */
const hashOAuthState = hashSessionToken;

/**
 * Server-side sign-in state of reps: the OAuth sign-ins in flight (each `state` usable once) and the sessions they
 * open. Both live in the database, so every instance sharing it sees the same ones.
 */
export function createSessionService(deps: { db: Database; repo: SessionRepo; now: () => number }) {
  const { db, repo } = deps;
  return {
    /** Remembers an OAuth `state` handed to WeCom (its hash only) until the callback consumes it or it expires. */
    async issueOAuthState(state: string): Promise<void> {
      const now = deps.now();
      await repo.purgeOAuthStates(db, now);
      await repo.insertOAuthState(db, {
        stateHash: hashOAuthState(state),
        createdAt: now,
        expiresAt: now + OAUTH_STATE_TTL_MS,
      });
    },

    /** True exactly once per issued, unexpired state: a replayed or expired state is false. */
    consumeOAuthState(state: string): Promise<boolean> {
      return repo.consumeOAuthState(db, hashOAuthState(state), deps.now());
    },

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
