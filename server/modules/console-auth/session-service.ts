import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../db/database.js';
import type { ConsoleActor } from './actor.js';
import type { AccountRow, ConsoleAuthRepo } from './repo.js';
import type { SettingsService } from './settings.js';

const HOUR_MS = 3_600_000;
/** A console session ends this long after sign-in, used or not (idle expiry: corp settings). */
export const CONSOLE_SESSION_ABSOLUTE_MS = 12 * HOUR_MS;
/** lastSeenAt is written at most this often, so reads stay reads. */
const TOUCH_EVERY_MS = 60_000;
/** WeCom member status: 2 disabled, 5 resigned. */
export const INACTIVE_MEMBER_STATUSES = new Set([2, 5]);

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Console sessions, in the database (every instance sees them): the cookie carries 256 random bits, the table only
 * their SHA-256. A session resolves to its account as it is now, so a role, scope or disablement change applies to
 * the next request; a member who left the company is signed out.
 */
export function createConsoleSessionService(deps: {
  db: Database;
  repo: ConsoleAuthRepo;
  settings: Pick<SettingsService, 'get'>;
  now: () => number;
}) {
  const { db, repo } = deps;

  async function idleMs(corpId: string): Promise<number> {
    return (await deps.settings.get(corpId)).sessionIdleMinutes * 60_000;
  }

  /** The account as an actor; null when it may not use the console any more. */
  async function actorOf(account: AccountRow, sessionExpiresAt: number | null): Promise<ConsoleActor | null> {
    if (account.disabledAt !== null) return null;
    let name = account.name;
    if (account.kind === 'member') {
      const [rep] = await repo.repsByIds(db, account.corpId, [account.userId ?? '']);
      if (!rep || INACTIVE_MEMBER_STATUSES.has(rep.status)) return null;
      name = rep.name;
    }
    return {
      kind: account.kind,
      corpId: account.corpId,
      accountId: account.id,
      username: account.username,
      userId: account.userId,
      name,
      role: account.role,
      departmentIds: account.role === 'manager' ? account.departmentIds : [],
      mustChangePassword: account.kind === 'local' && account.mustChangePassword,
      sessionExpiresAt,
    };
  }

  return {
    actorOf,

    async create(account: AccountRow): Promise<{ token: string; expiresAt: number }> {
      const now = deps.now();
      await repo.purgeSessions(db, now, now - (await idleMs(account.corpId)));
      const token = randomBytes(32).toString('base64url');
      const expiresAt = now + CONSOLE_SESSION_ABSOLUTE_MS;
      await repo.insertSession(db, {
        tokenHash: digest(token),
        corpId: account.corpId,
        accountId: account.id,
        createdAt: now,
        expiresAt,
        lastSeenAt: now,
      });
      return { token, expiresAt };
    },

    /** The session's actor, or null (unknown, idle too long, past its absolute expiry, account disabled). */
    async resolve(token: string): Promise<{ actor: ConsoleActor; tokenHash: string } | null> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
      const tokenHash = digest(token);
      const found = await repo.findSession(db, tokenHash);
      if (!found) return null;
      const { session, account } = found;
      const now = deps.now();
      if (session.expiresAt <= now || session.lastSeenAt + (await idleMs(session.corpId)) <= now) {
        await repo.deleteSession(db, tokenHash);
        return null;
      }
      const actor = await actorOf(account, session.expiresAt);
      if (!actor) {
        await repo.deleteSession(db, tokenHash);
        return null;
      }
      if (now - session.lastSeenAt >= TOUCH_EVERY_MS) await repo.touchSession(db, tokenHash, now);
      return { actor, tokenHash };
    },

    async destroy(token: string): Promise<void> {
      await repo.deleteSession(db, digest(token));
    },

    tokenHash: digest,
  };
}
export type ConsoleSessionService = ReturnType<typeof createConsoleSessionService>;
