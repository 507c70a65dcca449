import { Type, type Static, type TSchema } from 'typebox';
import { DepartmentRef } from './console-auth.js';
import { ChannelRef, Day } from './console-dashboards.js';
import { InputObject, QueryText, SearchText } from './common.js';
import { Stage } from './customers.js';

/**
 * Customers in the console (`/api/console/customers*`, `/api/console/conversations/*`). A manager sees the customers
 * followed (now or before) by reps of their departments; a customer of another department is 403, also by id.
 * The card and the timeline show everything about a customer in scope, across all of their reps.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const TagIds = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50, uniqueItems: true });

const filterFields = {
  /** Customer name or the rep's remark contains (case-insensitive). */
  q: Type.Optional(SearchText({ maxLength: 50 })),
  /** Corp tag ids (`tagIds=a&tagIds=b`), on the relationship. */
  tagIds: Type.Optional(TagIds),
  /** `any` (default): at least one of `tagIds`; `all`: every one. */
  tagMatch: Type.Optional(Type.Union([Type.Literal('any'), Type.Literal('all')])),
  stageId: Type.Optional(Type.Integer({ minimum: 1 })),
  channelId: Type.Optional(Type.Integer({ minimum: 1 })),
  userId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  departmentId: Type.Optional(Type.Integer({ minimum: 1 })),
  /** `active` (default), `lost`, or `all`. */
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('lost'), Type.Literal('all')])),
  /** Added between these days (corp time zone), both included. */
  addedFrom: Type.Optional(Day),
  addedTo: Type.Optional(Day),
  /** Last message in the chat with this rep between these days (needs archived chats). */
  lastContactFrom: Type.Optional(Day),
  lastContactTo: Type.Optional(Day),
};

/**
 * `GET /api/console/customers` (+ `.csv`, every match, streamed): one row per relationship (customer + rep), newest
 * added first, keyset paged.
 */
export const ConsoleCustomerQuery = InputObject({
  ...filterFields,
  cursor: Type.Optional(QueryText({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
export type ConsoleCustomerQuery = Static<typeof ConsoleCustomerQuery>;

export const ConsoleCustomerExportQuery = InputObject(filterFields);
export type ConsoleCustomerExportQuery = Static<typeof ConsoleCustomerExportQuery>;

export const TagRef = Type.Object({ tagId: Type.String(), name: Type.String(), groupName: Type.String() });
export type TagRef = Static<typeof TagRef>;

export const ConsoleCustomerRow = Type.Object({
  externalUserId: Type.String(),
  name: Type.String(),
  avatar: Type.String(),
  corpName: Type.String(),
  userId: Type.String(),
  repName: Type.String(),
  remark: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('lost')]),
  /** ms */
  addedAt: Type.Integer(),
  lostAt: Nullable(Type.Integer()),
  lostReason: Nullable(Type.String()),
  channel: Nullable(ChannelRef),
  stage: Nullable(Stage),
  tags: Type.Array(TagRef),
  /** Last message in the chat with this rep, ms (null without archived chats). */
  lastContactAt: Nullable(Type.Integer()),
});
export type ConsoleCustomerRow = Static<typeof ConsoleCustomerRow>;

export const ConsoleCustomerPage = Type.Object({
  items: Type.Array(ConsoleCustomerRow),
  nextCursor: Nullable(Type.String()),
});
export type ConsoleCustomerPage = Static<typeof ConsoleCustomerPage>;

export const ConsoleCustomerParams = InputObject({ externalUserId: Type.String({ minLength: 1, maxLength: 128 }) });
export type ConsoleCustomerParams = Static<typeof ConsoleCustomerParams>;

/** `GET /api/console/customers/:externalUserId`: the customer and every rep who follows or followed them. */
export const ConsoleCustomerCard = Type.Object({
  externalUserId: Type.String(),
  name: Type.String(),
  avatar: Type.String(),
  /** 1 WeChat user, 2 WeCom user. */
  type: Type.Integer(),
  /** 0 unknown, 1 male, 2 female. */
  gender: Type.Integer(),
  corpName: Type.String(),
  position: Type.String(),
  stage: Stage,
  /** First add by any rep, ms. */
  firstAddedAt: Nullable(Type.Integer()),
  followers: Type.Array(
    Type.Object({
      userId: Type.String(),
      name: Type.String(),
      avatar: Type.String(),
      department: Nullable(DepartmentRef),
      status: Type.Union([Type.Literal('active'), Type.Literal('lost')]),
      addedAt: Type.Integer(),
      lostAt: Nullable(Type.Integer()),
      lostReason: Nullable(Type.String()),
      remark: Type.String(),
      description: Type.String(),
      channel: Nullable(ChannelRef),
      tags: Type.Array(TagRef),
      /** This rep is in the caller's scope (managers may see followers of other departments, not drill into them). */
      inScope: Type.Boolean(),
    }),
  ),
});
export type ConsoleCustomerCard = Static<typeof ConsoleCustomerCard>;

// `GET /api/console/customers/:externalUserId/timeline?filter=&cursor=&limit=`: TimelinePage of
// shared/schemas/customers.ts (every rep's notes, events, scripts and messages; `editable` is always false).

/** `GET /api/console/customers/:externalUserId/conversations`: the customer's 1:1 chats with reps. */
export const ConsoleConversation = Type.Object({
  id: Type.Integer(),
  userId: Type.String(),
  repName: Type.String(),
  messageCount: Type.Integer(),
  lastMessageAt: Nullable(Type.Integer()),
  lastCustomerMessageAt: Nullable(Type.Integer()),
  /** The customer wrote last (within the corp's unanswered window). */
  unanswered: Type.Boolean(),
  /** The rep is in the caller's scope: only then can its messages be read. */
  inScope: Type.Boolean(),
});
export type ConsoleConversation = Static<typeof ConsoleConversation>;

export const ConsoleConversationList = Type.Object({ items: Type.Array(ConsoleConversation) });
export type ConsoleConversationList = Static<typeof ConsoleConversationList>;

export const ConversationParams = InputObject({ id: Type.Integer({ minimum: 1 }) });
export type ConversationParams = Static<typeof ConversationParams>;

/** `GET /api/console/conversations/:id/messages?cursor=&limit=`: newest first; 403 when its rep is out of scope. */
export const ConversationMessagesQuery = InputObject({
  cursor: Type.Optional(QueryText({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
export type ConversationMessagesQuery = Static<typeof ConversationMessagesQuery>;

export const ConsoleMessage = Type.Object({
  id: Type.Integer(),
  /** ms */
  sentAt: Type.Integer(),
  direction: Type.Union([Type.Literal('customer_to_rep'), Type.Literal('rep_to_customer'), Type.Literal('internal')]),
  sender: Type.String(),
  senderName: Type.String(),
  /** WeCom's msgtype. */
  type: Type.String(),
  /** The text, or a placeholder such as [图片]. */
  text: Type.String(),
  recalled: Type.Boolean(),
});
export type ConsoleMessage = Static<typeof ConsoleMessage>;

export const ConsoleMessagePage = Type.Object({
  conversation: ConsoleConversation,
  items: Type.Array(ConsoleMessage),
  nextCursor: Nullable(Type.String()),
});
export type ConsoleMessagePage = Static<typeof ConsoleMessagePage>;

// ---- bulk tagging -------------------------------------------------------------------------------------------------

export const FollowRef = InputObject({
  userId: Type.String({ minLength: 1, maxLength: 64 }),
  externalUserId: Type.String({ minLength: 1, maxLength: 128 }),
});
export type FollowRef = Static<typeof FollowRef>;

/**
 * `POST /api/console/customers/bulk-tag` → 202 BulkTagBatch: adds and/or removes corp tags on relationships, through
 * WeCom's mark_tag, one durable job per relationship (retried on WeCom's transient errors, never twice). Either
 * `targets` (selected rows, ≤ 1000) or `filter` (every active match of the list's filter, ≤ 10,000; 400 beyond);
 * every one must be in scope (403).
 */
export const BulkTagBody = InputObject({
  targets: Type.Optional(Type.Array(FollowRef, { minItems: 1, maxItems: 1000 })),
  filter: Type.Optional(InputObject(filterFields)),
  add: Type.Optional(TagIds),
  remove: Type.Optional(TagIds),
});
export type BulkTagBody = Static<typeof BulkTagBody>;

export const BulkTagParams = InputObject({ batchId: Type.Integer({ minimum: 1 }) });
export type BulkTagParams = Static<typeof BulkTagParams>;

/** `GET /api/console/customers/bulk-tag/:batchId`: progress of a batch. */
export const BulkTagBatch = Type.Object({
  batchId: Type.Integer(),
  total: Type.Integer(),
  done: Type.Integer(),
  failed: Type.Integer(),
  /** Waiting or running. */
  pending: Type.Integer(),
  add: Type.Array(TagRef),
  remove: Type.Array(TagRef),
  createdAt: Type.Integer(),
  createdBy: Type.String(),
});
export type BulkTagBatch = Static<typeof BulkTagBatch>;
