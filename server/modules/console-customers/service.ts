import type {
  ConsoleConversation,
  ConsoleConversationList,
  ConsoleCustomerCard,
  ConsoleCustomerExportQuery,
  ConsoleCustomerPage,
  ConsoleCustomerQuery,
  ConsoleCustomerRow,
  ConsoleMessagePage,
  ConversationMessagesQuery,
} from '../../../shared/schemas/console-customers.js';
import type { TimelinePage, TimelineQuery } from '../../../shared/schemas/customers.js';
import type { Database } from '../../db/database.js';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../errors.js';
import { dayRange } from '../channels/local-day.js';
import type { ConsoleActor, Scope } from '../console-auth/actor.js';
import { inScope, mainDepartment } from '../console-auth/actor.js';
import type { AccountsService } from '../console-auth/accounts-service.js';
import type { RepRow } from '../console-auth/repo.js';
import type { SettingsService } from '../console-auth/settings.js';
import { decodeCursor, encodeCursor } from '../keyset-cursor.js';
import { TIMELINE_FILTER_KINDS } from '../timeline/service.js';
import type { StageService } from '../stages/service.js';
import type { TimelineRepo } from '../timeline/repo.js';
import type { ConsoleCustomerRepo, ConversationRow, FollowFilter, FollowListRow } from './repo.js';

type Filter = ConsoleCustomerExportQuery;
const HOUR = 3_600_000;

/** Relationships per page of the CSV export. */
const EXPORT_PAGE = 500;

/**
 * The console's customers: the relationships of the reps in the caller's scope (a manager's departments with their
 * sub-departments, by each rep's main department), a customer's card and timeline across all of their reps, and the
 * customer's chats. A customer no rep in scope follows (now or before) is 403, also when asked for by id.
 */
export function createConsoleCustomerService(deps: {
  db: Database;
  repo: ConsoleCustomerRepo;
  timeline: Pick<TimelineRepo, 'page' | 'repNames'>;
  accounts: Pick<
    AccountsService,
    'repsInScope' | 'requireRepInScope' | 'departmentFilter' | 'departmentRefs' | 'directory'
  >;
  settings: Pick<SettingsService, 'get'>;
  /** The corp's stages (made with the defaults on first use); a customer without a stage is in the first. */
  stages: Pick<StageService, 'list'>;
  timeZone: string;
  now: () => number;
}) {
  const { db, repo } = deps;

  function dayBounds(from: string | undefined, to: string | undefined, field: string) {
    if (from === undefined && to === undefined) return undefined;
    const start = from === undefined ? undefined : dayRange(from, from, deps.timeZone);
    if (from !== undefined && !start) throw new BadRequestError('日期无效', `${field}From`);
    const end = to === undefined ? undefined : dayRange(to, to, deps.timeZone);
    if (to !== undefined && !end) throw new BadRequestError('日期无效', `${field}To`);
    if (from !== undefined && to !== undefined && to < from)
      throw new BadRequestError('结束日期不能早于开始日期', `${field}To`);
    return { fromMs: start?.startMs, toMs: end?.endMs };
  }

  /** The list filter in SQL terms, every rep and department it names checked against the caller's scope. */
  async function followFilter(actor: ConsoleActor, scope: Scope, q: Filter): Promise<FollowFilter> {
    const corpId = actor.corpId;
    let userIds: string[] | null = null;
    if (!scope.all || q.departmentId !== undefined) {
      if (q.departmentId !== undefined) await deps.accounts.departmentFilter(corpId, scope, q.departmentId);
      userIds = (await deps.accounts.repsInScope(corpId, scope, q.departmentId)).map((r) => r.userId);
    }
    if (q.userId !== undefined) {
      await deps.accounts.requireRepInScope(corpId, scope, q.userId);
      userIds = userIds === null || userIds.includes(q.userId) ? [q.userId] : [];
    }
    let stage: FollowFilter['stage'];
    if (q.stageId !== undefined) {
      const stages = await deps.stages.list(corpId);
      if (!stages.some((s) => s.stageId === q.stageId)) throw new BadRequestError('销售阶段不存在', 'stageId');
      stage = { stageId: q.stageId, includeUnset: stages[0]?.stageId === q.stageId };
    }
    return {
      userIds,
      q: q.q?.trim() || undefined,
      tagIds: q.tagIds,
      tagMatch: q.tagMatch ?? 'any',
      stage,
      channelId: q.channelId,
      status: q.status ?? 'active',
      added: dayBounds(q.addedFrom, q.addedTo, 'added'),
      lastContact: dayBounds(q.lastContactFrom, q.lastContactTo, 'lastContact'),
    };
  }

  /** Relationship rows as the list shows them: stage, tags and channel resolved. */
  async function rows(corpId: string, found: FollowListRow[]): Promise<ConsoleCustomerRow[]> {
    if (found.length === 0) return [];
    const stages = await deps.stages.list(corpId);
    const stageById = new Map(stages.map((s) => [s.stageId, s]));
    const tags = await repo.followTags(db, corpId, [...new Set(found.map((f) => f.externalUserId))]);
    return found.map((f) => ({
      externalUserId: f.externalUserId,
      name: f.name,
      avatar: f.avatar,
      corpName: f.corpName,
      userId: f.userId,
      repName: f.repName,
      remark: f.remark,
      status: f.status,
      addedAt: f.addedAt,
      lostAt: f.lostAt,
      lostReason: f.lostReason,
      channel: f.channelId === null ? null : { id: f.channelId, name: f.channelName ?? '' },
      stage: (f.stageId === null ? undefined : stageById.get(f.stageId)) ?? stages[0] ?? null,
      tags: tags.get(`${f.userId}\u0000${f.externalUserId}`) ?? [],
      lastContactAt: f.lastContactAt,
    }));
  }

  /** The reps of the corp and whether each is in the caller's scope. */
  async function repScope(corpId: string, scope: Scope) {
    const { reps } = await deps.accounts.directory(corpId);
    const byId = new Map<string, RepRow>(reps.map((r) => [r.userId, r]));
    const visible = (userId: string) => {
      const rep = byId.get(userId);
      return scope.all || (rep !== undefined && inScope(scope, mainDepartment(rep.departmentIds)));
    };
    return { byId, visible };
  }

  /** A customer the caller may see: one that a rep in scope follows or followed (404 unknown, 403 otherwise). */
  async function requireCustomer(actor: ConsoleActor, scope: Scope, externalUserId: string) {
    const follows = await repo.followsOf(db, actor.corpId, externalUserId);
    const contact = await repo.contact(db, actor.corpId, externalUserId);
    if (!contact && follows.length === 0) throw new NotFoundError('客户不存在');
    const reps = await repScope(actor.corpId, scope);
    if (!scope.all && !follows.some((f) => reps.visible(f.userId))) throw new ForbiddenError('该客户不在您负责的部门');
    return { follows, contact, reps };
  }

  async function conversationView(
    corpId: string,
    c: ConversationRow,
    visible: (userId: string) => boolean,
  ): Promise<ConsoleConversation> {
    const { unansweredWindowHours } = await deps.settings.get(corpId);
    const since = deps.now() - unansweredWindowHours * HOUR;
    return {
      id: c.id,
      userId: c.userId,
      repName: c.repName,
      messageCount: c.messageCount,
      lastMessageAt: c.lastMessageAt,
      lastCustomerMessageAt: c.lastCustomerMessageAt,
      unanswered:
        c.lastMessageId !== null &&
        c.lastCustomerMessageId === c.lastMessageId &&
        c.lastMessageAt !== null &&
        c.lastMessageAt >= since,
      inScope: visible(c.userId),
    };
  }

  return {
    followFilter,

    async list(actor: ConsoleActor, scope: Scope, q: ConsoleCustomerQuery): Promise<ConsoleCustomerPage> {
      const limit = q.limit ?? 50;
      const filter = await followFilter(actor, scope, q);
      const after = q.cursor ? decodeCursor(q.cursor) : undefined;
      const found = await repo.follows(db, actor.corpId, filter, { limit: limit + 1, after });
      const page = found.slice(0, limit);
      const last = page.at(-1);
      return {
        items: await rows(actor.corpId, page),
        nextCursor: found.length > limit && last ? encodeCursor({ time: last.addedAt, id: last.followId }) : null,
      };
    },

    /**
     * Every match, a page at a time (the CSV export); the filter is checked before the first page. The next page is
     * read while this one is completed (tags, stages) and written out, so the database and the CSV work overlap.
     */
    async all(actor: ConsoleActor, scope: Scope, q: Filter): Promise<AsyncGenerator<ConsoleCustomerRow[]>> {
      const filter = await followFilter(actor, scope, q);
      const read = (after?: { time: number; id: number }) => {
        const page = repo.follows(db, actor.corpId, filter, { limit: EXPORT_PAGE, after });
        // Awaited below; a reader who stops early (the client went away) must not leave it unhandled.
        page.catch(() => undefined);
        return page;
      };
      return (async function* pages() {
        let next = read();
        for (;;) {
          const found = await next;
          if (found.length === 0) return;
          const last = found.at(-1)!;
          const more = found.length === EXPORT_PAGE;
          if (more) next = read({ time: last.addedAt, id: last.followId });
          yield await rows(actor.corpId, found);
          if (!more) return;
        }
      })();
    },

    async card(actor: ConsoleActor, scope: Scope, externalUserId: string): Promise<ConsoleCustomerCard> {
      const { follows, contact, reps } = await requireCustomer(actor, scope, externalUserId);
      const stages = await deps.stages.list(actor.corpId);
      const stage = stages.find((s) => s.stageId === contact?.stageId) ?? stages[0]!;
      const tags = await repo.followTags(db, actor.corpId, [externalUserId]);
      const departmentIds = follows.map((f) => mainDepartment(reps.byId.get(f.userId)?.departmentIds ?? []));
      const departments = await deps.accounts.departmentRefs(actor.corpId, departmentIds);
      const first = follows[0];
      return {
        externalUserId,
        name: contact?.name ?? first?.name ?? '',
        avatar: contact?.avatar ?? '',
        type: contact?.type ?? 1,
        gender: contact?.gender ?? 0,
        corpName: contact?.corpName ?? '',
        position: contact?.position ?? '',
        stage,
        firstAddedAt: follows.length > 0 ? Math.min(...follows.map((f) => f.addedAt)) : null,
        followers: follows.map((f, i) => {
          const rep = reps.byId.get(f.userId);
          return {
            userId: f.userId,
            name: rep?.name ?? f.userId,
            avatar: rep?.avatar ?? '',
            department: departmentIds[i] === 0 ? null : departments[i]!,
            status: f.status,
            addedAt: f.addedAt,
            lostAt: f.lostAt,
            lostReason: f.lostReason,
            remark: f.remark,
            description: f.description,
            channel: f.channelId === null ? null : { id: f.channelId, name: f.channelName ?? '' },
            tags: tags.get(`${f.userId}\u0000${externalUserId}`) ?? [],
            inScope: reps.visible(f.userId),
          };
        }),
      };
    },

    /** Everything that happened to the customer, every rep's items included; nothing is editable here. */
    async timeline(actor: ConsoleActor, scope: Scope, externalUserId: string, q: TimelineQuery): Promise<TimelinePage> {
      await requireCustomer(actor, scope, externalUserId);
      const limit = q.limit ?? 20;
      const before = q.cursor ? decodeCursor(q.cursor) : undefined;
      const filter = q.filter ?? 'all';
      const found = await deps.timeline.page(db, actor.corpId, externalUserId, {
        limit: limit + 1,
        before: before && { occurredAt: before.time, id: before.id },
        kinds: filter === 'all' ? undefined : TIMELINE_FILTER_KINDS[filter],
      });
      const page = found.slice(0, limit);
      const names = await deps.timeline.repNames(db, actor.corpId, [
        ...new Set(page.flatMap((r) => (r.userId ? [r.userId] : []))),
      ]);
      const last = page.at(-1);
      return {
        items: page.map((r) => ({
          id: r.id,
          kind: r.kind,
          content: r.content,
          payload: r.payload,
          userId: r.userId,
          userName: r.userId ? (names.get(r.userId) ?? r.userId) : null,
          dueAt: r.dueAt,
          occurredAt: r.occurredAt,
          editable: false,
        })),
        nextCursor: found.length > limit && last ? encodeCursor({ time: last.occurredAt, id: last.id }) : null,
      };
    },

    async conversations(actor: ConsoleActor, scope: Scope, externalUserId: string): Promise<ConsoleConversationList> {
      const { reps } = await requireCustomer(actor, scope, externalUserId);
      const found = await repo.conversationsOf(db, actor.corpId, externalUserId);
      return { items: await Promise.all(found.map((c) => conversationView(actor.corpId, c, reps.visible))) };
    },

    /** A chat's messages, newest first: only when its rep is in the caller's scope. */
    async messages(
      actor: ConsoleActor,
      scope: Scope,
      conversationId: number,
      q: ConversationMessagesQuery,
    ): Promise<ConsoleMessagePage> {
      const conversation = await repo.conversation(db, actor.corpId, conversationId);
      if (!conversation) throw new NotFoundError('会话不存在');
      const reps = await repScope(actor.corpId, scope);
      if (!reps.visible(conversation.userId)) throw new ForbiddenError('该会话不在您负责的部门');
      const limit = q.limit ?? 50;
      const before = q.cursor ? decodeCursor(q.cursor) : undefined;
      const found = await repo.messages(db, actor.corpId, conversationId, { limit: limit + 1, before });
      const page = found.slice(0, limit);
      const contact = await repo.contact(db, actor.corpId, conversation.externalUserId);
      const senderName = (sender: string) =>
        sender === conversation.externalUserId
          ? (contact?.name ?? sender)
          : (reps.byId.get(sender)?.name ?? (sender || ''));
      const last = page.at(-1);
      return {
        conversation: await conversationView(actor.corpId, conversation, reps.visible),
        items: page.map((m) => ({ ...m, senderName: senderName(m.sender) })),
        nextCursor: found.length > limit && last ? encodeCursor({ time: last.sentAt, id: last.id }) : null,
      };
    },
  };
}
export type ConsoleCustomerService = ReturnType<typeof createConsoleCustomerService>;
