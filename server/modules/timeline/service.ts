import type { Database } from '../../db/database.js';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../errors.js';
import type { SessionUser } from '../auth/session-service.js';
import type { RequireFollower } from '../customers/follower.js';
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

/** One customer history for the sidebar: events, notes, script sends and messages, newest first. */
export function createTimelineService(deps: {
  db: Database;
  repo: TimelineRepo;
  /** The sidebar's access rule: the rep's own customers only (customers/follower.ts). */
  requireFollower: RequireFollower;
  now: () => number;
}) {
  const { db, repo } = deps;

  async function view(user: SessionUser, rows: TimelineRow[]) {
    const authors = [...new Set(rows.flatMap((r) => (r.userId ? [r.userId] : [])))];
    const names = await repo.repNames(db, user.corpId, authors);
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      content: r.content,
      payload: r.payload,
      userId: r.userId,
      userName: r.userId ? (names.get(r.userId) ?? r.userId) : null,
      dueAt: r.dueAt,
      occurredAt: r.occurredAt,
      editable: r.kind === 'note' && r.userId === user.userId,
    }));
  }

  /** A note of this customer, or 404. */
  async function findNote(user: SessionUser, externalUserId: string, id: number): Promise<TimelineRow> {
    const row = await repo.find(db, user.corpId, id);
    if (!row || row.externalUserId !== externalUserId || row.kind !== 'note') throw new NotFoundError('跟进记录不存在');
    return row;
  }

  return {
    /** Keyset pages: pass `nextCursor` back as `cursor`; items never repeat or go missing between pages. */
    async page(
      user: SessionUser,
      externalUserId: string,
      query: { filter?: TimelineFilter; cursor?: string; limit?: number },
    ) {
      await deps.requireFollower(user, externalUserId);
      const limit = query.limit ?? 20;
      const before = query.cursor ? decodeCursor(query.cursor) : undefined;
      const filter = query.filter ?? 'all';
      const rows = await repo.page(db, user.corpId, externalUserId, {
        limit: limit + 1,
        before: before && { occurredAt: before.time, id: before.id },
        kinds: filter === 'all' ? undefined : TIMELINE_FILTER_KINDS[filter],
        viewerUserId: user.userId,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: await view(user, page),
        nextCursor: rows.length > limit && last ? encodeCursor({ time: last.occurredAt, id: last.id }) : null,
      };
    },

    async addNote(user: SessionUser, externalUserId: string, input: { content: string; dueAt?: number | null }) {
      await deps.requireFollower(user, externalUserId);
      const content = input.content.trim();
      if (!content) throw new BadRequestError('跟进记录不能为空', 'content');
      const id = await repo.add(db, {
        corpId: user.corpId,
        externalUserId,
        userId: user.userId,
        kind: 'note',
        content,
        dueAt: input.dueAt ?? null,
        occurredAt: deps.now(),
      });
      const row = id === null ? undefined : await repo.find(db, user.corpId, id);
      if (!row) throw new Error('the note was not stored');
      return (await view(user, [row]))[0]!;
    },

    /** Only the author edits a note; its place in the timeline (occurredAt) does not move. */
    async editNote(
      user: SessionUser,
      externalUserId: string,
      id: number,
      patch: { content?: string; dueAt?: number | null },
    ) {
      await deps.requireFollower(user, externalUserId);
      const note = await findNote(user, externalUserId, id);
      if (note.userId !== user.userId) throw new ForbiddenError('只能修改自己写的跟进记录');
      const content = patch.content?.trim();
      if (patch.content !== undefined && !content) throw new BadRequestError('跟进记录不能为空', 'content');
      await repo.update(db, user.corpId, id, { content, dueAt: patch.dueAt }, deps.now());
      return (await view(user, [await findNote(user, externalUserId, id)]))[0]!;
    },
  };
}
export type TimelineService = ReturnType<typeof createTimelineService>;
