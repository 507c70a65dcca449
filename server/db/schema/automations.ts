import { sql } from 'drizzle-orm';
import type { Kit } from '../kit.js';
import { timestampColumns } from './core.js';

export const robotStatuses = ['active', 'disabled'] as const;
export const notificationChannels = ['robot', 'app'] as const;
export const notificationStatuses = ['pending', 'sending', 'sent', 'failed', 'unknown', 'skipped'] as const;
export const turnStatuses = ['open', 'replied', 'closed'] as const;
export const taskStatuses = ['open', 'done', 'cancelled'] as const;
export const deliveryStatuses = ['pending', 'delivered', 'failed'] as const;
export const orderMatches = ['external_user_id', 'unionid', 'phone'] as const;

/** A message as the notify module sends it: a group robot's or an app message's JSON body (without agentid/touser). */
export type OutgoingMessage = Record<string, unknown> & { msgtype: string };

export interface RuleRecipients {
  rep: boolean;
  managers: boolean;
  departmentRobot: boolean;
  robotIds: number[];
  userIds: string[];
}

/**
 * Automations and notifications: group robots and their send budget, rules and their runs, the notifications outbox,
 * customer turns awaiting a reply, feed cursors, the reps' tasks, birthdays, and integrations (tokens, orders,
 * outgoing webhooks and their deliveries).
 */
export function automationTables(k: Kit) {
  /** A group robot (群机器人): its webhook key is a secret, sealed at rest; its hash finds duplicates. */
  const robots = k.table(
    'robots',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      name: k.text('name').notNull(),
      departmentId: k.int('department_id'),
      keySealed: k.text('key_sealed').notNull(),
      keyHash: k.text('key_hash').notNull(),
      status: k.text('status', { enum: robotStatuses }).notNull().default('active'),
      disabledReason: k.text('disabled_reason'),
      disabledAt: k.ms('disabled_at'),
      lastSentAt: k.ms('last_sent_at'),
      lastError: k.text('last_error'),
      ...timestampColumns(k),
    },
    (t) => [
      k.uniqueIndex('robots_corp_key').on(t.corpId, t.keyHash),
      k.index('robots_department').on(t.corpId, t.departmentId),
    ],
  );

  /**
   * The send budget of a robot, shared by every instance: 20 slots (WeCom allows 20 messages a minute per robot), each
   * reusable 60 s after its last use. A send takes a free slot with one conditional update before it goes out.
   */
  const robotSendSlots = k.table(
    'robot_send_slots',
    {
      robotId: k.int('robot_id').notNull(),
      slot: k.int('slot').notNull(),
      usedAt: k.ms('used_at').notNull().default(0),
    },
    (t) => [k.primaryKey({ columns: [t.robotId, t.slot] })],
  );

  /** One rule per kind and corp (未回复提醒, 流失提醒 …): switched on or off, recipients, settings. */
  const automationRules = k.table(
    'automation_rules',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      kind: k.text('kind').notNull(),
      enabled: k.bool('enabled').notNull().default(false),
      recipients: k.json<RuleRecipients>('recipients').notNull(),
      config: k.json<Record<string, unknown>>('config').notNull(),
      lastRunAt: k.ms('last_run_at'),
      ...timestampColumns(k),
    },
    (t) => [k.uniqueIndex('automation_rules_corp_kind').on(t.corpId, t.kind)],
  );

  /**
   * What a rule did, run by run. A daily rule's run carries its period (the corp day): unique, so a day runs once
   * whatever instance and however many ticks see it due.
   */
  const automationRuns = k.table(
    'automation_runs',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      ruleId: k.int('rule_id').notNull(),
      period: k.text('period'),
      at: k.ms('at').notNull(),
      outcome: k.text('outcome').notNull(),
      count: k.int('count').notNull().default(0),
      detail: k.text('detail').notNull().default(''),
    },
    (t) => [
      k
        .uniqueIndex('automation_runs_period')
        .on(t.ruleId, t.period)
        .where(sql`${t.period} IS NOT NULL`),
      k.index('automation_runs_rule').on(t.corpId, t.ruleId, t.at),
      k.index('automation_runs_time').on(t.at),
    ],
  );

  /**
   * The outbox: one row per notification, keyed per (rule, subject, period), sent by one durable job. A split
   * markdown message is one notification of several parts; `partsSent` says how far it got.
   */
  const notifications = k.table(
    'notifications',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      key: k.text('key').notNull(),
      ruleId: k.int('rule_id'),
      kind: k.text('kind').notNull(),
      channel: k.text('channel', { enum: notificationChannels }).notNull(),
      robotId: k.int('robot_id'),
      toUserIds: k.json<string[]>('to_user_ids').notNull().default([]),
      /** The rep and the customer concerned, if any. */
      userId: k.text('user_id'),
      externalUserId: k.text('external_user_id'),
      parts: k.json<OutgoingMessage[]>('parts').notNull(),
      partsSent: k.int('parts_sent').notNull().default(0),
      /** Parts whose send ended with no answer (timeout, crash): not repeated, so maybe lost. */
      unknownParts: k.int('unknown_parts').notNull().default(0),
      status: k.text('status', { enum: notificationStatuses }).notNull().default('pending'),
      /** Failed attempts (a throttled wait is not one). */
      failures: k.int('failures').notNull().default(0),
      /** When the part in flight left; set before the request, cleared after: a crash in between leaves it set. */
      sendingSince: k.ms('sending_since'),
      /** An app message's first attempt: WeCom's duplicate check covers repeats within 30 minutes of it. */
      firstAttemptAt: k.ms('first_attempt_at'),
      lastError: k.text('last_error'),
      sentAt: k.ms('sent_at'),
      ...timestampColumns(k),
    },
    (t) => [
      k.uniqueIndex('notifications_corp_key').on(t.corpId, t.key),
      k.index('notifications_corp_id').on(t.corpId, t.id),
      k.index('notifications_time').on(t.createdAt),
    ],
  );

  /**
   * A customer's turn awaiting the rep's reply: opened by the first customer message after the rep's last one (not by
   * 好的 or 👌), closed by the rep's reply. Open turns with a reminder ahead are indexed by when it falls due, so the
   * scan reads only what is due. Replied turns stay as history (reply rate, first-reply time).
   */
  const replyTurns = k.table(
    'reply_turns',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      conversationId: k.int('conversation_id').notNull(),
      userId: k.text('user_id').notNull(),
      externalUserId: k.text('external_user_id').notNull(),
      startedAt: k.ms('started_at').notNull(),
      startMessageId: k.int('start_message_id').notNull(),
      /** The customer's message arrived outside working hours. */
      offHours: k.bool('off_hours').notNull().default(false),
      status: k.text('status', { enum: turnStatuses }).notNull().default('open'),
      repliedAt: k.ms('replied_at'),
      replyMessageId: k.int('reply_message_id'),
      /** Working milliseconds from the customer's message to the reply. */
      replyWorkingMs: k.ms('reply_working_ms'),
      nudgeAt: k.ms('nudge_at'),
      escalateAt: k.ms('escalate_at'),
      nudgedAt: k.ms('nudged_at'),
      escalatedAt: k.ms('escalated_at'),
      /** The next reminder's moment; null when none is ahead. */
      nextDueAt: k.ms('next_due_at'),
      ...timestampColumns(k),
    },
    (t) => [
      k
        .uniqueIndex('reply_turns_open')
        .on(t.corpId, t.conversationId)
        .where(sql`${t.status} = 'open'`),
      // A message starts at most one turn: reading the feed again changes nothing.
      k.uniqueIndex('reply_turns_start').on(t.corpId, t.startMessageId),
      k
        .index('reply_turns_due')
        .on(t.corpId, t.nextDueAt)
        .where(sql`${t.nextDueAt} IS NOT NULL`),
      k.index('reply_turns_user_started').on(t.corpId, t.userId, t.startedAt),
    ],
  );

  /** How far a feed (messages, keyword alerts, timeline, due notes) has been read, per corp. */
  const feedCursors = k.table(
    'feed_cursors',
    {
      corpId: k.text('corp_id').notNull(),
      feed: k.text('feed').notNull(),
      position: k.ms('position').notNull().default(0),
      updatedAt: k.ms('updated_at').notNull().default(k.nowMs()),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.feed] })],
  );

  /** Something a rep should do for a customer (a follow-up, a birthday greeting …), with a suggested script. */
  const tasks = k.table(
    'tasks',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      userId: k.text('user_id').notNull(),
      externalUserId: k.text('external_user_id').notNull(),
      kind: k.text('kind').notNull(),
      title: k.text('title').notNull(),
      detail: k.text('detail').notNull().default(''),
      script: k.text('script').notNull().default(''),
      dueAt: k.ms('due_at').notNull(),
      /** When the task shows: its due time, or the end of a snooze. */
      visibleAt: k.ms('visible_at').notNull(),
      status: k.text('status', { enum: taskStatuses }).notNull().default('open'),
      snoozedUntil: k.ms('snoozed_until'),
      snoozeCount: k.int('snooze_count').notNull().default(0),
      doneAt: k.ms('done_at'),
      ruleId: k.int('rule_id'),
      /** One task per source (rule, subject, period): a rerun creates nothing. */
      sourceKey: k.text('source_key').notNull(),
      ...timestampColumns(k),
    },
    (t) => [
      k.uniqueIndex('tasks_source').on(t.corpId, t.sourceKey),
      k.index('tasks_user_open').on(t.corpId, t.userId, t.status, t.visibleAt),
      k.index('tasks_customer').on(t.corpId, t.userId, t.externalUserId, t.status),
      k.index('tasks_due').on(t.corpId, t.status, t.dueAt),
    ],
  );

  /** A customer's birthday, from an integration or set by a rep. */
  const customerBirthdays = k.table(
    'customer_birthdays',
    {
      corpId: k.text('corp_id').notNull(),
      externalUserId: k.text('external_user_id').notNull(),
      month: k.int('month').notNull(),
      day: k.int('day').notNull(),
      year: k.int('year'),
      /** `rep:<userId>` or `integration:<id>`. */
      source: k.text('source').notNull(),
      updatedAt: k.ms('updated_at').notNull().default(k.nowMs()),
    },
    (t) => [
      k.primaryKey({ columns: [t.corpId, t.externalUserId] }),
      k.index('customer_birthdays_day').on(t.corpId, t.month, t.day),
    ],
  );

  /** A system that may push orders and birthdays: its token is shown once and kept as a SHA-256 hash. */
  const integrations = k.table(
    'integrations',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      name: k.text('name').notNull(),
      tokenHash: k.text('token_hash').notNull(),
      tokenPrefix: k.text('token_prefix').notNull(),
      lastUsedAt: k.ms('last_used_at'),
      revokedAt: k.ms('revoked_at'),
      ...timestampColumns(k),
    },
    (t) => [k.uniqueIndex('integrations_token').on(t.tokenHash), k.index('integrations_corp').on(t.corpId)],
  );

  /** Orders recorded through the integration API (idempotent on the integration's order id). */
  const orders = k.table(
    'orders',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      integrationId: k.int('integration_id').notNull(),
      orderId: k.text('order_id').notNull(),
      externalUserId: k.text('external_user_id').notNull(),
      userId: k.text('user_id'),
      matchedBy: k.text('matched_by', { enum: orderMatches }).notNull(),
      /** In cents (分). */
      amountCents: k.ms('amount_cents').notNull(),
      currency: k.text('currency').notNull().default('CNY'),
      items: k.json<Array<{ name: string; quantity: number; price?: number }>>('items').notNull().default([]),
      orderedAt: k.ms('ordered_at').notNull(),
      createdAt: k.ms('created_at').notNull().default(k.nowMs()),
    },
    (t) => [
      k.uniqueIndex('orders_source').on(t.corpId, t.integrationId, t.orderId),
      k.index('orders_customer').on(t.corpId, t.externalUserId, t.orderedAt),
    ],
  );

  /** Where outgoing webhooks go; the signing secret is sealed at rest and shown once. */
  const webhookEndpoints = k.table(
    'webhook_endpoints',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      name: k.text('name').notNull(),
      url: k.text('url').notNull(),
      secretSealed: k.text('secret_sealed').notNull(),
      events: k.json<string[]>('events').notNull().default([]),
      enabled: k.bool('enabled').notNull().default(true),
      ...timestampColumns(k),
    },
    (t) => [k.index('webhook_endpoints_corp').on(t.corpId)],
  );

  /** One event for one endpoint, delivered by a durable job with retries: the delivery log. */
  const webhookDeliveries = k.table(
    'webhook_deliveries',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      endpointId: k.int('endpoint_id').notNull(),
      /** Stable per event (`timeline:123`, `order:45`): receivers dedupe on it (X-Scrm-Event-Id). */
      eventId: k.text('event_id').notNull(),
      eventType: k.text('event_type').notNull(),
      payload: k.json<Record<string, unknown>>('payload').notNull(),
      status: k.text('status', { enum: deliveryStatuses }).notNull().default('pending'),
      attempts: k.int('attempts').notNull().default(0),
      lastStatus: k.int('last_status'),
      lastError: k.text('last_error'),
      deliveredAt: k.ms('delivered_at'),
      ...timestampColumns(k),
    },
    (t) => [
      k.uniqueIndex('webhook_deliveries_event').on(t.endpointId, t.eventId),
      k.index('webhook_deliveries_endpoint').on(t.corpId, t.endpointId, t.id),
    ],
  );

  return {
    robots,
    robotSendSlots,
    automationRules,
    automationRuns,
    notifications,
    replyTurns,
    feedCursors,
    tasks,
    customerBirthdays,
    integrations,
    orders,
    webhookEndpoints,
    webhookDeliveries,
  };
}
