import { Type, type Static, type TSchema } from 'typebox';
import { Day } from './console-dashboards.js';
import { InputObject, QueryText, SearchText } from './common.js';

/**
 * The audit log (`GET /api/console/audit`, + `.csv`; admins only): who changed what, kept for good. Every change made
 * through the console or with the admin token is recorded — channel codes, tags, stages, welcome messages, scripts
 * and their imports, work calendar, corp settings, console accounts, roles and scopes, bulk tagging, erasures — as
 * well as sign-ins, failed sign-ins and lockouts.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const AuditQuery = InputObject({
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  /** Actor name, username or userid contains. */
  actor: Type.Optional(SearchText({ maxLength: 64 })),
  /** Exact action, e.g. `channel.update`, or its prefix with a dot: `channel.`. */
  action: Type.Optional(QueryText({ maxLength: 64 })),
  targetType: Type.Optional(QueryText({ maxLength: 32 })),
  targetId: Type.Optional(QueryText({ maxLength: 128 })),
  cursor: Type.Optional(QueryText({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditActor = Type.Object({
  /** `local` / `member` console accounts, `token` (the admin bearer token), `system`, or `anonymous` (failed sign-in). */
  kind: Type.String(),
  /** Account id, WeCom userid, or null. */
  id: Nullable(Type.String()),
  name: Type.String(),
});
export type AuditActor = Static<typeof AuditActor>;

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  /** ms */
  at: Type.Integer(),
  actor: AuditActor,
  /**
   * `<target>.<verb>`, e.g. `channel.create`, `channel.update`, `channel.delete`, `script.import`, `account.role`,
   * `member.access`, `account.password_reset`, `auth.login`, `auth.login_failed`, `auth.locked`, `customer.bulk_tag`,
   * `customer.erase`, `settings.update`, `work_calendar.update`.
   */
  action: Type.String(),
  targetType: Type.String(),
  targetId: Nullable(Type.String()),
  /** One Chinese sentence, e.g. `修改渠道活码「双十一海报」`. */
  summary: Type.String(),
  /** What changed: the fields sent (secrets removed), before/after where known. */
  detail: Type.Record(Type.String(), Type.Unknown()),
  ip: Type.String(),
  requestId: Type.String(),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditPage = Type.Object({ items: Type.Array(AuditEntry), nextCursor: Nullable(Type.String()) });
export type AuditPage = Static<typeof AuditPage>;
