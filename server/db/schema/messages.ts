import { sql } from 'drizzle-orm';
import type { Kit } from '../kit.js';
import { timestampColumns } from './core.js';

/** Who wrote to whom: a customer to a rep, a rep to a customer, or members among themselves. */
export const messageDirections = ['customer_to_rep', 'rep_to_customer', 'internal'] as const;
export type MessageDirection = (typeof messageDirections)[number];
/** Where a message was first recorded: pulled from WeCom's archive, or sent by a rep from the sidebar. */
export const messageSources = ['archive', 'sidebar'] as const;
export type MessageSource = (typeof messageSources)[number];
/** A rep ↔ customer chat, a group chat (客户群 or internal group), or members among themselves (1:1). */
export const conversationKinds = ['single', 'group', 'internal'] as const;
export type ConversationKind = (typeof conversationKinds)[number];
export const mediaStatuses = ['pending', 'stored', 'failed', 'too_large'] as const;
export type MediaStatus = (typeof mediaStatuses)[number];
/** Why an archived item is not a message (yet): no key for its version, the key does not open it, damaged data. */
export const archiveErrorKinds = ['no_key', 'key_rejected', 'corrupted', 'sdk', 'api'] as const;
export type ArchiveErrorKind = (typeof archiveErrorKinds)[number];
/** A customer's consent to archiving their chats with a rep (check_single_agree's answer, lower case). */
export const consentStatuses = ['agree', 'disagree', 'default_agree', 'unknown'] as const;
export type ConsentStatus = (typeof consentStatuses)[number];
export const keywordDirections = ['customer', 'rep', 'both'] as const;
export const keywordScopes = ['single', 'group', 'both'] as const;

/** An archive item kept as WeCom sent it (encrypted), to decrypt once its key is configured. */
export interface StoredChatItem {
  seq: number;
  msgid: string;
  publickey_ver: number;
  encrypt_random_key: string;
  encrypt_chat_msg: string;
}

/**
 * Chat messages (会话内容存档) and what is built on them: conversations, the archive's cursor and errors, media,
 * consent, keyword rules and alerts, erasures. The full-text index is hand-written in the migrations (FTS5 on SQLite,
 * a GIN index over to_tsvector('simple', search_terms) on PostgreSQL): drizzle knows neither.
 */
export function messageTables(k: Kit) {
  /**
   * One row per chat. `version` counts changes to its messages (new, recalled, reconciled); each message keeps the
   * version of its last change in `rev`, so a live stream asks "what changed after version v" with one index read.
   */
  const conversations = k.table(
    'conversations',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      /** `single:<userId>:<externalUserId>`, `group:<roomId>`, `internal:<userId>:<userId>` (sorted). */
      key: k.text('key').notNull(),
      kind: k.text('kind', { enum: conversationKinds }).notNull(),
      /** single: the rep. */
      userId: k.text('user_id'),
      /** single: the customer. */
      externalUserId: k.text('external_user_id'),
      roomId: k.text('room_id'),
      version: k.int('version').notNull().default(0),
      messageCount: k.int('message_count').notNull().default(0),
      lastMessageAt: k.ms('last_message_at'),
      lastMessageId: k.int('last_message_id'),
      /** The customer's latest message (unreplied chats, reply times). */
      lastCustomerMessageAt: k.ms('last_customer_message_at'),
      lastCustomerMessageId: k.int('last_customer_message_id'),
      ...timestampColumns(k),
    },
    (t) => [
      k.uniqueIndex('conversations_corp_key').on(t.corpId, t.key),
      // A rep's chats, most recent first, by keyset on (last_message_at, id).
      k.index('conversations_user_recent').on(t.corpId, t.userId, t.lastMessageAt, t.id),
      k.index('conversations_customer').on(t.corpId, t.externalUserId),
      // 员工统计's 未回复 (dashboards/day-sql.ts unansweredNow): the 1:1 chats whose last message is the customer's.
      // Through conversations_user_recent it read every chat of the window's (72 h: ~14,000 at BENCH_SCALE=1, 32 ms).
      k
        .index('conversations_unanswered')
        .on(t.corpId, t.userId, t.lastMessageAt)
        .where(sql`kind = 'single' AND last_customer_message_id = last_message_id`),
    ],
  );

  /** Chat messages, from the archive or recorded when a rep sent them from the sidebar. */
  const messages = k.table(
    'messages',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      /** WeCom's msgid; `sidebar:<uuid>` until a sidebar send is matched with its archived copy. */
      msgid: k.text('msgid').notNull(),
      /** The archive's seq; null while a sidebar send has no archived copy. */
      seq: k.ms('seq'),
      /** `send`, `recall` or `switch`. */
      action: k.text('action').notNull().default('send'),
      sender: k.text('sender').notNull().default(''),
      receivers: k.json<string[]>('receivers').notNull().default([]),
      roomId: k.text('room_id'),
      /** msgtime, ms. */
      sentAt: k.ms('sent_at').notNull(),
      /** WeCom's msgtype (text, image, …, or one this code does not know, kept as is). */
      type: k.text('type').notNull(),
      /** What a person reads: the text, or a Chinese placeholder such as [图片] or [文件] 报价单.pdf. */
      text: k.text('text').notNull().default(''),
      /** The type-named object of WeCom's message (e.g. `{ content }` for text), as WeCom sent it. */
      content: k.json<Record<string, unknown>>('content').notNull().default({}),
      /** Segmented words (jieba) for full-text search, lower case, separated by spaces. */
      searchTerms: k.text('search_terms').notNull().default(''),
      conversationId: k.int('conversation_id'),
      /** The rep concerned: the rep of a 1:1 chat, or the member who sent a group message. */
      userId: k.text('user_id'),
      /** The customer concerned: the customer of a 1:1 chat, or the customer who sent a group message. */
      externalUserId: k.text('external_user_id'),
      direction: k.text('direction', { enum: messageDirections }).notNull(),
      recalled: k.bool('recalled').notNull().default(false),
      source: k.text('source', { enum: messageSources }).notNull(),
      /** The conversation's version when this message last changed. */
      rev: k.int('rev').notNull().default(0),
      ...timestampColumns(k),
    },
    (t) => [
      k.uniqueIndex('messages_corp_msgid').on(t.corpId, t.msgid),
      // History of a chat, newest first, by keyset on (sent_at, id).
      k.index('messages_conversation_time').on(t.conversationId, t.sentAt, t.id),
      // What changed in a chat after a version (live streams).
      k.index('messages_conversation_rev').on(t.conversationId, t.rev),
      // Manager search and export by customer or rep, newest first; erasure by customer.
      k.index('messages_customer').on(t.corpId, t.externalUserId, t.id),
      k.index('messages_rep').on(t.corpId, t.userId, t.id),
      // Retention and date ranges.
      k.index('messages_time').on(t.corpId, t.sentAt),
    ],
  );

  /**
   * The id span of each UTC day's messages (by sent_at): a date range's messages all have ids within the span of
   * its days, so a search over a range walks only those ids (search.ts). Kept by triggers on `messages` (insert,
   * and an update of sent_at), so every way of storing a message counts; deletions leave the span wider than
   * needed, never narrower.
   */
  const messageDays = k.table(
    'message_days',
    {
      corpId: k.text('corp_id').notNull(),
      /** floor(sent_at / 86,400,000): the UTC day. */
      day: k.int('day').notNull(),
      minId: k.int('min_id').notNull(),
      maxId: k.int('max_id').notNull(),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.day] })],
  );

  /** The archive's position per corp: the highest seq stored, written in the transaction that stored it. */
  const archiveCursors = k.table('archive_cursors', {
    corpId: k.text('corp_id').primaryKey(),
    lastSeq: k.ms('last_seq').notNull().default(0),
    /** Last pull that reached the end of what WeCom had. */
    caughtUpAt: k.ms('caught_up_at'),
    messagesStored: k.ms('messages_stored').notNull().default(0),
    updatedAt: k.ms('updated_at').notNull().default(k.nowMs()),
  });

  /**
   * Archive items that are not messages (yet), and pulls WeCom refused. An item without a key for its
   * `publickey_ver` keeps its encrypted form (`item`), so it can be decrypted once the key is configured.
   */
  const archiveErrors = k.table(
    'archive_errors',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      /** The item's seq, or the cursor a failed pull started from. */
      seq: k.ms('seq').notNull(),
      msgid: k.text('msgid'),
      kind: k.text('kind', { enum: archiveErrorKinds }).notNull(),
      /** The SDK return code or WeCom errcode. */
      code: k.int('code'),
      publickeyVer: k.int('publickey_ver'),
      detail: k.text('detail').notNull().default(''),
      item: k.json<StoredChatItem>('item'),
      resolvedAt: k.ms('resolved_at'),
      createdAt: k.ms('created_at').notNull().default(k.nowMs()),
    },
    (t) => [
      k.uniqueIndex('archive_errors_corp_msgid').on(t.corpId, t.msgid),
      k.index('archive_errors_corp_time').on(t.corpId, t.createdAt),
    ],
  );

  /** Files in the media store (content-addressed by sha256, per corp). */
  const mediaObjects = k.table(
    'media_objects',
    {
      corpId: k.text('corp_id').notNull(),
      hash: k.text('hash').notNull(),
      size: k.ms('size').notNull(),
      mime: k.text('mime').notNull(),
      md5: k.text('md5').notNull(),
      createdAt: k.ms('created_at').notNull().default(k.nowMs()),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.hash] })],
  );

  /** The media files a message refers to (several for `mixed`), and where fetching each one stands. */
  const messageMedia = k.table(
    'message_media',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      messageId: k.int('message_id').notNull(),
      /** Position in the message (mixed messages carry several). */
      position: k.int('position').notNull().default(0),
      /** image, voice, video, file, emotion. */
      kind: k.text('kind').notNull(),
      sdkFileId: k.text('sdk_file_id').notNull(),
      /** What the message says: md5 (may be empty), size, file name. */
      md5sum: k.text('md5sum').notNull().default(''),
      declaredSize: k.ms('declared_size'),
      name: k.text('name').notNull().default(''),
      status: k.text('status', { enum: mediaStatuses }).notNull().default('pending'),
      hash: k.text('hash'),
      error: k.text('error'),
      ...timestampColumns(k),
    },
    (t) => [
      k.uniqueIndex('message_media_message').on(t.messageId, t.position),
      k.index('message_media_hash').on(t.corpId, t.hash),
    ],
  );

  /** Whether a customer agreed to have their chats with a rep archived (msg_audit_approved, check_single_agree). */
  const archiveConsents = k.table(
    'archive_consents',
    {
      corpId: k.text('corp_id').notNull(),
      userId: k.text('user_id').notNull(),
      externalUserId: k.text('external_user_id').notNull(),
      status: k.text('status', { enum: consentStatuses }).notNull(),
      /** When the customer chose, as WeCom says (ms). */
      changedAt: k.ms('changed_at'),
      /** When we last asked WeCom (check_single_agree). */
      checkedAt: k.ms('checked_at'),
      /** event (msg_audit_approved), check (check_single_agree), message (an agree/disagree record). */
      source: k.text('source').notNull(),
      updatedAt: k.ms('updated_at').notNull().default(k.nowMs()),
    },
    (t) => [
      k.primaryKey({ columns: [t.corpId, t.userId, t.externalUserId] }),
      k.index('archive_consents_customer').on(t.corpId, t.externalUserId),
    ],
  );

  /** Sensitive words (敏感词) the manager wants to hear about. */
  const keywordRules = k.table(
    'keyword_rules',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      name: k.text('name').notNull(),
      /** Plain words, matched case-insensitively anywhere in the text. */
      words: k.json<string[]>('words').notNull().default([]),
      /** Regular expressions (JavaScript syntax, case-insensitive). */
      patterns: k.json<string[]>('patterns').notNull().default([]),
      direction: k.text('direction', { enum: keywordDirections }).notNull().default('both'),
      scope: k.text('scope', { enum: keywordScopes }).notNull().default('both'),
      enabled: k.bool('enabled').notNull().default(true),
      ...timestampColumns(k),
    },
    (t) => [k.uniqueIndex('keyword_rules_corp_name').on(t.corpId, t.name)],
  );

  /** A message that matched a rule (one per rule and message: a replayed batch adds nothing). */
  const keywordAlerts = k.table(
    'keyword_alerts',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      ruleId: k.int('rule_id').notNull(),
      messageId: k.int('message_id').notNull(),
      userId: k.text('user_id'),
      externalUserId: k.text('external_user_id'),
      /** The word or the text the pattern matched. */
      matched: k.text('matched').notNull(),
      direction: k.text('direction', { enum: messageDirections }).notNull(),
      sentAt: k.ms('sent_at').notNull(),
      /** Set by the delivery (group robot, app message) once it exists. */
      deliveredAt: k.ms('delivered_at'),
      createdAt: k.ms('created_at').notNull().default(k.nowMs()),
    },
    (t) => [
      k.uniqueIndex('keyword_alerts_rule_message').on(t.ruleId, t.messageId),
      k.index('keyword_alerts_corp').on(t.corpId, t.id),
      k.index('keyword_alerts_message').on(t.messageId),
      k.index('keyword_alerts_customer').on(t.corpId, t.externalUserId),
    ],
  );

  /** Who erased whose data and when (PIPL): kept after everything else about the customer is gone. */
  const erasures = k.table(
    'erasures',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      externalUserId: k.text('external_user_id').notNull(),
      erasedBy: k.text('erased_by').notNull(),
      reason: k.text('reason').notNull().default(''),
      /** Rows and files removed, per kind. */
      counts: k.json<Record<string, number>>('counts').notNull().default({}),
      erasedAt: k.ms('erased_at').notNull(),
    },
    (t) => [k.index('erasures_corp').on(t.corpId, t.erasedAt)],
  );

  return {
    conversations,
    messages,
    messageDays,
    archiveCursors,
    archiveErrors,
    mediaObjects,
    messageMedia,
    archiveConsents,
    keywordRules,
    keywordAlerts,
    erasures,
  };
}
