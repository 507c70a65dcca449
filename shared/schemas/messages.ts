import { Type, type Static, type TSchema } from 'typebox';
import { InputObject, QueryText, SearchText } from './common.js';
import { ChatMessage } from './scripts.js';

/**
 * Chat messages (会话内容存档) — the API contract of the sidebar's chat history and of the managers' search,
 * keyword alerts, export and erasure. Every time is epoch milliseconds; every list is a keyset page: pass
 * `nextCursor` back as `cursor` (null: nothing more).
 *
 * Rep (session cookie), only the signed-in rep's own 1:1 chat with a customer they follow (403 otherwise):
 * - `GET  /api/customers/:externalUserId/messages` → MessagePage (`q`: search within the chat)
 * - `GET  /api/customers/:externalUserId/messages/stream?since=<version>` → server-sent events (below; the
 *   request must accept `text/event-stream`, as EventSource's does)
 * - `POST /api/customers/:externalUserId/messages` `{ text }` → 201 SentMessage
 * - `GET  /api/media/:hash` → the file (a rep: media of their own chats; the admin: any)
 *
 * Admin (`Authorization: Bearer ADMIN_TOKEN`):
 * - `GET  /api/messages` → MessageSearchPage (search by words, rep, customer, dates, type)
 * - `GET  /api/messages/export?format=csv|jsonl&…` → a streamed file (same filters, no `q`)
 * - `GET  /api/customer-export?externalUserId=…` → application/zip, everything stored about the customer
 * - `POST /api/erasures` `{ externalUserId, confirm, operator?, reason? }` → 201 ErasureRecord
 * - `GET  /api/erasures` → ErasureList
 * - `GET/POST /api/keyword-rules`, `PATCH/DELETE /api/keyword-rules/:id`, `GET /api/keyword-alerts`
 * - `GET  /api/archive/status`, `GET /api/archive/errors`
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Cursor = QueryText({ maxLength: 200 });
const Millis = Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000 });

export const MessageDirection = Type.Union([
  Type.Literal('customer_to_rep'),
  Type.Literal('rep_to_customer'),
  Type.Literal('internal'),
]);
export type MessageDirection = Static<typeof MessageDirection>;

export const MediaStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('stored'),
  Type.Literal('failed'),
  Type.Literal('too_large'),
]);

/** A media file of a message: `url` (GET /api/media/:hash) once stored; pending while it is being fetched. */
export const MessageMedia = Type.Object({
  /** image, voice, video, file, emotion. */
  kind: Type.String(),
  status: MediaStatus,
  /** File name (file messages), else ''. */
  name: Type.String(),
  size: Nullable(Type.Integer()),
  mime: Nullable(Type.String()),
  url: Nullable(Type.String()),
});
export type MessageMedia = Static<typeof MessageMedia>;

export const Message = Type.Object({
  /** Stable while the message lives (a sidebar send keeps its id when its archived copy arrives). */
  id: Type.Integer(),
  /** WeCom's msgid; `sidebar:…` until the archived copy of a sidebar send arrives. */
  msgid: Type.String(),
  /**
   * WeCom's msgtype: text, image, voice, video, file, link, weapp, emotion, location, card, mixed, chatrecord,
   * agree, disagree, revoke, switch, or another kept as is (its `text` is a Chinese placeholder).
   */
  type: Type.String(),
  direction: MessageDirection,
  sender: Type.Object({
    id: Type.String(),
    /** rep: a member of the corp; customer: an external contact. */
    kind: Type.Union([Type.Literal('rep'), Type.Literal('customer')]),
    name: Type.String(),
  }),
  /** What a person reads: the text, or a placeholder such as `[图片]`, `[文件] 报价单.pdf`, `[语音] 3秒`. */
  text: Type.String(),
  /** The type's object as WeCom sent it (e.g. link: `{ title, description, link_url, image_url }`). */
  content: Type.Record(Type.String(), Type.Unknown()),
  media: Type.Array(MessageMedia),
  sentAt: Type.Integer(),
  /** The sender recalled it (撤回); the archive keeps what it said. */
  recalled: Type.Boolean(),
  /** archive: pulled from WeCom's archive; sidebar: sent by the rep from the sidebar. */
  source: Type.Union([Type.Literal('archive'), Type.Literal('sidebar')]),
  /** False while a sidebar send has no archived copy yet. */
  archived: Type.Boolean(),
  /** The conversation's version at this message's last change (the stream's event id). */
  rev: Type.Integer(),
});
export type Message = Static<typeof Message>;

export const ConsentState = Type.Object({
  /** agree / disagree (the customer chose), default_agree (WeCom archives until they choose), unknown. */
  status: Type.Union([
    Type.Literal('agree'),
    Type.Literal('disagree'),
    Type.Literal('default_agree'),
    Type.Literal('unknown'),
  ]),
  changedAt: Nullable(Type.Integer()),
});
export type ConsentState = Static<typeof ConsentState>;

// ---- the rep's chat history ---------------------------------------------------------------------------------------

export const MessageParams = InputObject({ externalUserId: Type.String({ minLength: 1, maxLength: 128 }) });
export type MessageParams = Static<typeof MessageParams>;

export const MessageHistoryQuery = InputObject({
  /** Search within this chat (words; Chinese is segmented, so 发货 finds 已经发货了). */
  q: Type.Optional(SearchText({ maxLength: 100 })),
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 30 })),
});
export type MessageHistoryQuery = Static<typeof MessageHistoryQuery>;

/**
 * A page of the chat, oldest first within the page (newest at the bottom); `nextCursor` loads the page before it
 * (older). `version`: open the stream with `since=version` to receive what changes after this page was read.
 */
export const MessagePage = Type.Object({
  items: Type.Array(Message),
  nextCursor: Nullable(Type.String()),
  version: Type.Integer(),
  consent: ConsentState,
});
export type MessagePage = Static<typeof MessagePage>;

/**
 * `GET …/messages/stream?since=<version>` (text/event-stream; a request that does not accept it is answered 406).
 * Events:
 * - `ready` `{ version }` once, when the stream is open;
 * - `message` a Message (new, or changed: recalled, or a sidebar send whose archived copy arrived — same `id`),
 *   `id:` its `rev` (a reconnecting EventSource sends it back as Last-Event-ID and misses nothing).
 * A comment line every 15 s keeps proxies from closing the connection.
 */
export const MessageStreamQuery = InputObject({
  since: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type MessageStreamQuery = Static<typeof MessageStreamQuery>;

export const SendTextBody = InputObject({ text: Type.String({ minLength: 1, maxLength: 2000 }) });
export type SendTextBody = Static<typeof SendTextBody>;

/** The recorded message, and the exact argument for `ww.sendChatMessage`. */
export const SentMessage = Type.Object({ message: Message, chatMessage: ChatMessage });
export type SentMessage = Static<typeof SentMessage>;

export const MediaParams = InputObject({ hash: Type.String({ pattern: '^[0-9a-f]{64}$' }) });
export type MediaParams = Static<typeof MediaParams>;

// ---- managers: search ---------------------------------------------------------------------------------------------

export const MessageFilters = {
  /** The rep concerned (their 1:1 chats, and what they wrote in groups). */
  userId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  externalUserId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  roomId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  /** msgtype, e.g. text, image, file. */
  type: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z_]+$' })),
  /** sent at ≥ from (ms). */
  from: Type.Optional(Millis),
  /** sent at < to (ms). */
  to: Type.Optional(Millis),
};

export const MessageSearchQuery = InputObject({
  /** Words that must all occur (segmented: Chinese, English and digits mixed). */
  q: Type.Optional(SearchText({ maxLength: 100 })),
  ...MessageFilters,
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});
export type MessageSearchQuery = Static<typeof MessageSearchQuery>;

export const MessageHit = Type.Object({
  ...Message.properties,
  conversationId: Nullable(Type.Integer()),
  userId: Nullable(Type.String()),
  userName: Nullable(Type.String()),
  externalUserId: Nullable(Type.String()),
  customerName: Nullable(Type.String()),
  roomId: Nullable(Type.String()),
});
export type MessageHit = Static<typeof MessageHit>;

/** Newest stored first. */
export const MessageSearchPage = Type.Object({ items: Type.Array(MessageHit), nextCursor: Nullable(Type.String()) });
export type MessageSearchPage = Static<typeof MessageSearchPage>;

export const MessageExportQuery = InputObject({
  format: Type.Union([Type.Literal('csv'), Type.Literal('jsonl')], { default: 'csv' }),
  ...MessageFilters,
});
export type MessageExportQuery = Static<typeof MessageExportQuery>;

// ---- keyword rules and alerts (敏感词) --------------------------------------------------------------------------

export const KeywordDirection = Type.Union([Type.Literal('customer'), Type.Literal('rep'), Type.Literal('both')]);
export const KeywordScope = Type.Union([Type.Literal('single'), Type.Literal('group'), Type.Literal('both')]);

const Word = Type.String({ minLength: 1, maxLength: 50 });
const Pattern = Type.String({ minLength: 1, maxLength: 200 });

export const KeywordRule = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  /** Matched anywhere in the text, ignoring case. */
  words: Type.Array(Type.String()),
  /** Regular expressions (JavaScript syntax), ignoring case. */
  patterns: Type.Array(Type.String()),
  /** Whose messages: the customer's, the rep's, or both. */
  direction: KeywordDirection,
  /** single: 1:1 chats; group: group chats; both. */
  scope: KeywordScope,
  enabled: Type.Boolean(),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
});
export type KeywordRule = Static<typeof KeywordRule>;

export const KeywordRuleList = Type.Array(KeywordRule);

/** A rule needs at least one word or pattern; names are unique in the corp. */
export const KeywordRuleBody = InputObject({
  name: Type.String({ minLength: 1, maxLength: 30 }),
  words: Type.Array(Word, { maxItems: 200, default: [] }),
  patterns: Type.Array(Pattern, { maxItems: 20, default: [] }),
  direction: Type.Optional(KeywordDirection),
  scope: Type.Optional(KeywordScope),
  enabled: Type.Optional(Type.Boolean()),
});
export type KeywordRuleBody = Static<typeof KeywordRuleBody>;

export const KeywordRulePatchBody = InputObject(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
    words: Type.Optional(Type.Array(Word, { maxItems: 200 })),
    patterns: Type.Optional(Type.Array(Pattern, { maxItems: 20 })),
    direction: Type.Optional(KeywordDirection),
    scope: Type.Optional(KeywordScope),
    enabled: Type.Optional(Type.Boolean()),
  },
  { minProperties: 1 },
);
export type KeywordRulePatchBody = Static<typeof KeywordRulePatchBody>;

export const KeywordRuleParams = InputObject({ id: Type.Integer({ minimum: 1 }) });

export const KeywordAlertQuery = InputObject({
  ruleId: Type.Optional(Type.Integer({ minimum: 1 })),
  userId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  externalUserId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});
export type KeywordAlertQuery = Static<typeof KeywordAlertQuery>;

export const KeywordAlert = Type.Object({
  id: Type.Integer(),
  ruleId: Type.Integer(),
  ruleName: Type.String(),
  matched: Type.String(),
  direction: MessageDirection,
  userId: Nullable(Type.String()),
  externalUserId: Nullable(Type.String()),
  messageId: Type.Integer(),
  text: Type.String(),
  sentAt: Type.Integer(),
  createdAt: Type.Integer(),
});
export type KeywordAlert = Static<typeof KeywordAlert>;

/** Newest first. */
export const KeywordAlertPage = Type.Object({ items: Type.Array(KeywordAlert), nextCursor: Nullable(Type.String()) });
export type KeywordAlertPage = Static<typeof KeywordAlertPage>;

// ---- PIPL: erasure -----------------------------------------------------------------------------------------------

// No control characters: PostgreSQL refuses a NUL in text, and no WeCom id holds one.
export const CustomerExportQuery = InputObject({ externalUserId: QueryText({ minLength: 1, maxLength: 128 }) });
export type CustomerExportQuery = Static<typeof CustomerExportQuery>;

/** `confirm` repeats the externalUserId, so an erasure is never one mistyped id away. */
export const ErasureBody = InputObject({
  externalUserId: QueryText({ minLength: 1, maxLength: 128 }),
  confirm: QueryText({ minLength: 1, maxLength: 128 }),
  /** Who asks for the erasure (recorded with the admin token's use and the request's address). */
  operator: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  reason: Type.Optional(Type.String({ maxLength: 200 })),
});
export type ErasureBody = Static<typeof ErasureBody>;

export const ErasureRecord = Type.Object({
  id: Type.Integer(),
  externalUserId: Type.String(),
  erasedBy: Type.String(),
  reason: Type.String(),
  /** What was removed, per kind (messages, mediaFiles, timelineItems, …). */
  counts: Type.Record(Type.String(), Type.Integer()),
  erasedAt: Type.Integer(),
});
export type ErasureRecord = Static<typeof ErasureRecord>;

export const ErasureList = Type.Array(ErasureRecord);

// ---- archive operations ------------------------------------------------------------------------------------------

export const ArchiveStatus = Type.Object({
  /** Whether a Finance SDK is configured (the stand-in in demo mode). */
  configured: Type.Boolean(),
  lastSeq: Type.Integer(),
  messagesStored: Type.Integer(),
  caughtUpAt: Nullable(Type.Integer()),
  unresolvedErrors: Type.Integer(),
  pendingMedia: Type.Integer(),
});
export type ArchiveStatus = Static<typeof ArchiveStatus>;

export const ArchiveErrorItem = Type.Object({
  id: Type.Integer(),
  seq: Type.Integer(),
  msgid: Nullable(Type.String()),
  /** no_key, key_rejected, corrupted (items); sdk, api (pulls). */
  kind: Type.String(),
  code: Nullable(Type.Integer()),
  publickeyVer: Nullable(Type.Integer()),
  detail: Type.String(),
  resolvedAt: Nullable(Type.Integer()),
  createdAt: Type.Integer(),
});

export const ArchiveErrorQuery = InputObject({
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});

export const ArchiveErrorPage = Type.Object({
  items: Type.Array(ArchiveErrorItem),
  nextCursor: Nullable(Type.String()),
});
export type ArchiveErrorPage = Static<typeof ArchiveErrorPage>;
