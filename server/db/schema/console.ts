import { sql } from 'drizzle-orm';
import type { Kit } from '../kit.js';
import { timestampColumns, type CoreTables } from './core.js';

export const consoleAccountKinds = ['local', 'member'] as const;
export const consoleRoles = ['admin', 'manager'] as const;
export type ConsoleRoleValue = (typeof consoleRoles)[number];

/** The manager console: its accounts and sessions, the corp's console settings, the audit log, bulk tag batches. */
export function consoleTables(k: Kit, { corps }: CoreTables) {
  /**
   * Who may use the console: local accounts (username + password) and WeCom members given a role. A member without
   * a row is a rep (sidebar only). `department_ids` are the departments a manager manages (sub-departments included).
   */
  const consoleAccounts = k.table(
    'console_accounts',
    {
      id: k.id('id'),
      corpId: k
        .text('corp_id')
        .notNull()
        .references(() => corps.corpId),
      kind: k.text('kind', { enum: consoleAccountKinds }).notNull(),
      /** Local accounts: lower case (usernames are compared without regard to case). */
      username: k.text('username'),
      /** Members: the WeCom userid. */
      userId: k.text('user_id'),
      /** Local accounts' display name (members show their WeCom name). */
      name: k.text('name').notNull().default(''),
      role: k.text('role', { enum: consoleRoles }).notNull(),
      departmentIds: k.json<number[]>('department_ids').notNull().default([]),
      /** `scrypt$N$r$p$salt$hash` (base64), local accounts only. */
      passwordHash: k.text('password_hash'),
      mustChangePassword: k.bool('must_change_password').notNull().default(false),
      /** Wrong passwords in a row; reset by a sign-in and when a lockout ends. */
      failedAttempts: k.int('failed_attempts').notNull().default(0),
      lockedUntil: k.ms('locked_until'),
      disabledAt: k.ms('disabled_at'),
      lastLoginAt: k.ms('last_login_at'),
      ...timestampColumns(k),
    },
    (t) => [
      k
        .uniqueIndex('console_accounts_username')
        .on(t.corpId, t.username)
        .where(sql`${t.username} IS NOT NULL`),
      k
        .uniqueIndex('console_accounts_member')
        .on(t.corpId, t.userId)
        .where(sql`${t.userId} IS NOT NULL`),
      // People tell local accounts apart by name (the audit log shows it).
      k
        .uniqueIndex('console_accounts_local_name')
        .on(t.corpId, t.name)
        .where(sql`${t.kind} = 'local'`),
    ],
  );

  /** Console sessions (server side); the cookie holds a random token, this table its SHA-256. */
  const consoleSessions = k.table(
    'console_sessions',
    {
      tokenHash: k.text('token_hash').primaryKey(),
      corpId: k.text('corp_id').notNull(),
      accountId: k.int('account_id').notNull(),
      createdAt: k.ms('created_at').notNull(),
      expiresAt: k.ms('expires_at').notNull(),
      lastSeenAt: k.ms('last_seen_at').notNull(),
    },
    (t) => [k.index('console_sessions_account').on(t.accountId), k.index('console_sessions_expiry').on(t.expiresAt)],
  );

  /** Settings an admin changes in the console; a corp without a row has the defaults (server/modules/console-auth). */
  const corpSettings = k.table('corp_settings', {
    corpId: k
      .text('corp_id')
      .primaryKey()
      .references(() => corps.corpId),
    displayName: k.text('display_name'),
    sessionIdleMinutes: k.int('session_idle_minutes').notNull(),
    lockoutThreshold: k.int('lockout_threshold').notNull(),
    lockoutMinutes: k.int('lockout_minutes').notNull(),
    unansweredWindowHours: k.int('unanswered_window_hours').notNull(),
    ...timestampColumns(k),
  });

  /** Who changed what (console and admin token), sign-ins and lockouts. Append only. */
  const auditLog = k.table(
    'audit_log',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      at: k.ms('at').notNull(),
      /** local, member, token, system, anonymous. */
      actorKind: k.text('actor_kind').notNull(),
      actorId: k.text('actor_id'),
      actorName: k.text('actor_name').notNull(),
      action: k.text('action').notNull(),
      targetType: k.text('target_type').notNull(),
      targetId: k.text('target_id'),
      summary: k.text('summary').notNull(),
      detail: k.json<Record<string, unknown>>('detail').notNull().default({}),
      ip: k.text('ip').notNull().default(''),
      requestId: k.text('request_id').notNull().default(''),
    },
    (t) => [
      k.index('audit_log_time').on(t.corpId, t.at, t.id),
      k.index('audit_log_action').on(t.corpId, t.action, t.at),
      k.index('audit_log_target').on(t.corpId, t.targetType, t.targetId),
    ],
  );

  /**
   * A bulk tagging request: one `console_mark_tag` job per relationship, keyed `batch:<id>:…`. While it runs, its
   * progress is counted from those jobs; `done`, `failed` and `finished_at` keep the final tally once none is pending
   * (done jobs are pruned by the retention job later).
   */
  const tagBatches = k.table('tag_batches', {
    id: k.id('id'),
    corpId: k.text('corp_id').notNull(),
    /** As in the audit log: the account id, the member's userid, or null (the admin token). */
    actorId: k.text('actor_id'),
    actorName: k.text('actor_name').notNull(),
    add: k.json<string[]>('add').notNull().default([]),
    remove: k.json<string[]>('remove').notNull().default([]),
    total: k.int('total').notNull(),
    done: k.int('done').notNull().default(0),
    failed: k.int('failed').notNull().default(0),
    createdAt: k.ms('created_at').notNull(),
    finishedAt: k.ms('finished_at'),
  });

  return { consoleAccounts, consoleSessions, corpSettings, auditLog, tagBatches };
}
