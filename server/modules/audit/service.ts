import type { AuditEntry, AuditQuery } from '../../../shared/schemas/console-audit.js';
import type { Database, Executor } from '../../db/database.js';
import { dayRange } from '../channels/local-day.js';
import type { AuditContext, ConsoleActor } from '../console-auth/actor.js';
import { decodeCursor, encodeCursor } from '../keyset-cursor.js';
import type { AuditFilter, AuditRepo, AuditRow } from './repo.js';
import { BadRequestError } from '../../errors.js';

/** What a change records: `<target>.<verb>`, the object, a Chinese sentence and the details. */
export interface AuditRecord {
  action: string;
  targetType: string;
  targetId?: string | number | null;
  summary: string;
  detail?: Record<string, unknown>;
}

/** Fields whose values never reach the audit log. */
const SECRET_FIELD = /password|secret|token|key$|aeskey|webhook/i;
const MAX_DETAIL_CHARS = 8_000;

/** The body as recorded: secrets replaced, long strings cut, the whole bounded. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '…';
  if (typeof value === 'string') return value.length > 500 ? `${value.slice(0, 500)}…（共 ${value.length} 字）` : value;
  if (Array.isArray(value)) {
    const items = value.slice(0, 50).map((v) => redact(v, depth + 1));
    return value.length > 50 ? [...items, `…（共 ${value.length} 项）`] : items;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        SECRET_FIELD.test(k) ? '******' : redact(v, depth + 1),
      ]),
    );
  }
  return value;
}

function bounded(detail: Record<string, unknown>): Record<string, unknown> {
  const clean = redact(detail) as Record<string, unknown>;
  const text = JSON.stringify(clean);
  return text.length <= MAX_DETAIL_CHARS ? clean : { truncated: `${text.slice(0, MAX_DETAIL_CHARS)}…` };
}

export function actorFields(actor: Pick<ConsoleActor, 'kind' | 'accountId' | 'userId' | 'name'>) {
  return {
    actorKind: actor.kind,
    actorId: actor.kind === 'member' ? actor.userId : actor.accountId === null ? null : String(actor.accountId),
    actorName: actor.name,
  };
}

const view = (r: AuditRow): AuditEntry => ({
  id: r.id,
  at: r.at,
  actor: { kind: r.actorKind, id: r.actorId, name: r.actorName },
  action: r.action,
  targetType: r.targetType,
  targetId: r.targetId,
  summary: r.summary,
  detail: r.detail,
  ip: r.ip,
  requestId: r.requestId,
});

/**
 * The audit log. Services record their changes inside the transaction that makes them (so a change and its record
 * commit together); changes made through the modules that predate the console are recorded at the route boundary
 * (route-audit.ts), after they succeed.
 */
export function createAuditService(deps: { db: Database; repo: AuditRepo; now: () => number; timeZone: string }) {
  const { db, repo } = deps;

  async function record(ex: Executor, ctx: AuditContext, entry: AuditRecord): Promise<number> {
    return repo.insert(ex, {
      corpId: ctx.actor.corpId,
      at: deps.now(),
      ...actorFields(ctx.actor),
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId === undefined || entry.targetId === null ? null : String(entry.targetId),
      summary: entry.summary,
      detail: bounded(entry.detail ?? {}),
      ip: ctx.ip,
      requestId: ctx.requestId,
    });
  }

  function filterOf(query: Omit<AuditQuery, 'cursor' | 'limit'>): AuditFilter {
    const range =
      query.from || query.to
        ? dayRange(query.from ?? '1970-01-01', query.to ?? '9999-12-31', deps.timeZone)
        : { startMs: undefined, endMs: undefined };
    if (!range) throw new BadRequestError('日期无效', query.from ? 'from' : 'to');
    return {
      fromMs: query.from ? range.startMs : undefined,
      toMs: query.to ? range.endMs : undefined,
      actor: query.actor?.trim() || undefined,
      action: query.action?.trim() || undefined,
      targetType: query.targetType?.trim() || undefined,
      targetId: query.targetId?.trim() || undefined,
    };
  }

  return {
    record,

    /** Records outside any transaction (a sign-in that failed, a route-level record). */
    recordNow: (ctx: AuditContext, entry: AuditRecord) => record(db, ctx, entry),

    /** A record whose actor is not a console actor (a failed sign-in names the username tried). */
    async recordRaw(row: Parameters<AuditRepo['insert']>[1]): Promise<void> {
      await repo.insert(db, { ...row, detail: bounded(row.detail ?? {}) });
    },

    async page(corpId: string, query: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
      const limit = query.limit ?? 50;
      const filter = filterOf(query);
      if (query.cursor) {
        const c = decodeCursor(query.cursor);
        filter.before = { at: c.time, id: c.id };
      }
      const rows = await repo.page(db, corpId, filter, limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(view),
        nextCursor: rows.length > limit && last ? encodeCursor({ time: last.at, id: last.id }) : null,
      };
    },

    /** Every matching entry, newest first, a page at a time (CSV export). */
    async *all(corpId: string, query: Omit<AuditQuery, 'cursor' | 'limit'>): AsyncGenerator<AuditEntry[]> {
      const filter = filterOf(query);
      for (;;) {
        const rows = await repo.page(db, corpId, filter, 1000);
        if (rows.length === 0) return;
        yield rows.map(view);
        const last = rows.at(-1)!;
        filter.before = { at: last.at, id: last.id };
        if (rows.length < 1000) return;
      }
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
