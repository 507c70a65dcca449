import { BadRequestError, ForbiddenError, NotFoundError } from '../../errors.js';
import type { SessionUser } from '../auth/session-service.js';
import type { CustomerService } from '../customers/service.js';
import { decodeCursor, encodeCursor } from '../keyset-cursor.js';
import type { TimelineKind, TimelineRepo, TimelineRow } from './repo.js';

export type TimelineFilter = 'all' | 'events' | 'notes' | 'scripts' | 'messages';

/** The filter chips of the sidebar timeline and the kinds each one shows (`all`: every kind). */
export const TIMELINE_FILTER_KINDS: Record<Exclude<TimelineFilter, 'all'>, TimelineKind[]> = {
  events: [
    'added',
    'tagged',
    'tag_skipped',
    'untagged',
    'welcome_sent',
    'welcome_skipped',
    'lost',
    'stage_changed',
    'remark_changed',
  ],
  notes: ['note'],
  scripts: ['script_sent'],
  messages: ['message'],
};

function parsePayload(raw: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** One customer history for the sidebar: events, notes, script sends and messages, newest first. */
export function createTimelineService(deps: {
  repo: TimelineRepo;
  customers: Pick<CustomerService, 'requireFollower'>;
  repNames: (corpId: string, userIds: string[]) => Map<string, string>;
  now: () => number;
}) {
  function view(user: SessionUser, rows: TimelineRow[]) {
    const names = deps.repNames(user.corpId, [...new Set(rows.flatMap((r) => (r.userId ? [r.userId] : [])))]);
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      content: r.content,
      payload: parsePayload(r.payload),
      userId: r.userId,
      userName: r.userId ? (names.get(r.userId) ?? r.userId) : null,
      dueAt: r.dueAt,
      occurredAt: r.occurredAt,
      editable: r.kind === 'note' && r.userId === user.userId,
    }));
  }

  /** A note of this customer, or 404. */
  function findNote(user: SessionUser, externalUserId: string, id: number): TimelineRow {
    const row = deps.repo.find(user.corpId, id);
    if (!row || row.externalUserId !== externalUserId || row.kind !== 'note') throw new NotFoundError('跟进记录不存在');
    return row;
  }

  return {
    /** Keyset pages: pass `nextCursor` back as `cursor`; items never repeat or go missing between pages. */
    page(
      user: SessionUser,
      externalUserId: string,
      query: { filter?: TimelineFilter; cursor?: string; limit?: number },
    ) {
      deps.customers.requireFollower(user, externalUserId);
      const limit = query.limit ?? 20;
      const before = query.cursor ? decodeCursor(query.cursor) : undefined;
      const filter = query.filter ?? 'all';
      const rows = deps.repo.page(user.corpId, externalUserId, {
        limit: limit + 1,
        before: before && { occurredAt: before.time, id: before.id },
        kinds: filter === 'all' ? undefined : TIMELINE_FILTER_KINDS[filter],
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: view(user, page),
        nextCursor: rows.length > limit && last ? encodeCursor({ time: last.occurredAt, id: last.id }) : null,
      };
    },

    addNote(user: SessionUser, externalUserId: string, input: { content: string; dueAt?: number | null }) {
      deps.customers.requireFollower(user, externalUserId);
      const content = input.content.trim();
      if (!content) throw new BadRequestError('跟进记录不能为空', 'content');
      const id = deps.repo.add({
        corpId: user.corpId,
        externalUserId,
        userId: user.userId,
        kind: 'note',
        content,
        dueAt: input.dueAt ?? null,
        occurredAt: deps.now(),
      });
      const row = id === null ? undefined : deps.repo.find(user.corpId, id);
      if (!row) throw new Error('the note was not stored');
      return view(user, [row])[0]!;
    },

    /** Only the author edits a note; its place in the timeline (occurredAt) does not move. */
    editNote(
      user: SessionUser,
      externalUserId: string,
      id: number,
      patch: { content?: string; dueAt?: number | null },
    ) {
      deps.customers.requireFollower(user, externalUserId);
      const note = findNote(user, externalUserId, id);
      if (note.userId !== user.userId) throw new ForbiddenError('只能修改自己写的跟进记录');
      const content = patch.content?.trim();
      if (patch.content !== undefined && !content) throw new BadRequestError('跟进记录不能为空', 'content');
      deps.repo.update(user.corpId, id, { content, dueAt: patch.dueAt }, deps.now());
      return view(user, [findNote(user, externalUserId, id)])[0]!;
    },
  };
}
export type TimelineService = ReturnType<typeof createTimelineService>;
