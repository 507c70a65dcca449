import { Type, type Static, type TSchema } from 'typebox';
import { InputObject, NullableInteger, PatternString, QueryText } from './common.js';

/**
 * Automations and notifications (the admin API; the console's pages come later): group robots, the rules that notify
 * people or create tasks, the notifications sent, the rep's tasks, customer birthdays, integrations (orders in,
 * webhooks out). Every text a person reads is Chinese.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Text = (maxLength: number) => Type.String({ maxLength });
/** One of these strings (an `enum`: its error message names the allowed values). */
const OneOf = <const T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
/** `HH:MM`, on the corp's clocks. */
const ClockTime = PatternString('^([01]\\d|2[0-3]):[0-5]\\d$', '应为 HH:MM 格式的时间，例如 09:30');
export const IdParams = InputObject({ id: Type.Integer({ minimum: 1 }) });
export type IdParams = Static<typeof IdParams>;

// ---- group robots ----------------------------------------------------------------------------------------------------

export const robotStatuses = ['active', 'disabled'] as const;

/** A group robot (群机器人) as the API shows it: never its key (the webhook URL contains it). */
export const Robot = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  /** The department whose alerts and digest it receives; null for a corp-wide robot. */
  departmentId: Nullable(Type.Integer()),
  departmentName: Nullable(Type.String()),
  status: OneOf(robotStatuses),
  /** Why it was switched off (e.g. WeCom answered 93000: the webhook address is no longer valid). */
  disabledReason: Nullable(Type.String()),
  lastSentAt: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  createdAt: Type.Integer(),
});
export type Robot = Static<typeof Robot>;
export const RobotList = Type.Object({ robots: Type.Array(Robot) });

/** The webhook address WeCom shows for the robot (`…/cgi-bin/webhook/send?key=…`), or its key alone. */
const WebhookUrl = Type.String({ minLength: 8, maxLength: 500 });

export const CreateRobotBody = InputObject({
  name: Type.String({ minLength: 1, maxLength: 50 }),
  webhookUrl: WebhookUrl,
  departmentId: Type.Optional(NullableInteger({ minimum: 1 })),
});
export type CreateRobotBody = Static<typeof CreateRobotBody>;

export const UpdateRobotBody = InputObject(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    /** A new address (after the old one stopped working): the robot is active again. */
    webhookUrl: Type.Optional(WebhookUrl),
    departmentId: Type.Optional(NullableInteger({ minimum: 1 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { minProperties: 1 },
);
export type UpdateRobotBody = Static<typeof UpdateRobotBody>;

export const RobotTestResult = Type.Object({ notificationId: Type.Integer() });

// ---- rules -----------------------------------------------------------------------------------------------------------

export const ruleKinds = [
  'unreplied',
  'loss',
  'keyword',
  'note_due',
  'lifecycle',
  'inactivity',
  'birthday',
  'repeat_purchase',
  'digest',
  'off_hours',
] as const;
export type RuleKind = (typeof ruleKinds)[number];

export const RULE_NAMES: Record<RuleKind, string> = {
  unreplied: '未回复提醒',
  loss: '流失提醒',
  keyword: '敏感词提醒',
  note_due: '跟进提醒',
  lifecycle: '新客户跟进任务',
  inactivity: '沉默客户唤醒',
  birthday: '客户生日提醒',
  repeat_purchase: '复购感谢',
  digest: '日报',
  off_hours: '非工作时间回复建议',
};

/** Who hears about what a rule found. Each rule reads the parts that make sense for it (see the README). */
export const Recipients = InputObject({
  /** An app message (应用消息) to the rep concerned. */
  rep: Type.Boolean(),
  /** App messages to the leaders (部门负责人) of the rep's department. */
  managers: Type.Boolean(),
  /** The group robot of the rep's department (the nearest department up the tree that has one). */
  departmentRobot: Type.Boolean(),
  /** These robots as well. */
  robotIds: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 20 }),
  /** These members as well (app messages). */
  userIds: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50 }),
});
export type Recipients = Static<typeof Recipients>;

const Script = Text(1000);
const Title = Type.String({ minLength: 1, maxLength: 60 });
const Words = Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { maxItems: 200 });

/** Per kind, the settings a manager changes (all fields; the PATCH takes any subset). */
export const RuleConfigs = {
  unreplied: InputObject({
    /** Working minutes a customer's message may wait before the rep is reminded. */
    nudgeAfterMinutes: Type.Integer({ minimum: 1, maximum: 2880 }),
    /** Working minutes after the reminder before the manager or robot is told. */
    escalateAfterMinutes: Type.Integer({ minimum: 1, maximum: 2880 }),
    /** Messages made only of these words, punctuation and emoji do not start the clock (好的, 谢谢, 👌 …). */
    ignoreWords: Words,
    /** A reminder this late (the server was down) is no longer sent: the moment has passed. */
    staleAfterMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
  }),
  loss: InputObject({
    /** How many of the last messages of the chat the alert quotes. */
    lastMessages: Type.Integer({ minimum: 0, maximum: 10 }),
  }),
  keyword: InputObject({}),
  note_due: InputObject({}),
  lifecycle: InputObject({
    /** Tasks created on day N after the customer was added, at `time`. */
    steps: Type.Array(InputObject({ day: Type.Integer({ minimum: 1, maximum: 90 }), title: Title, script: Script }), {
      maxItems: 10,
    }),
    time: ClockTime,
  }),
  inactivity: InputObject({
    /** No message either way for this many days. */
    days: Type.Integer({ minimum: 1, maximum: 365 }),
    time: ClockTime,
    title: Title,
    script: Script,
  }),
  birthday: InputObject({ time: ClockTime, title: Title, script: Script }),
  repeat_purchase: InputObject({
    /** The corp tag put on a customer who buys again; null: no tag. */
    tagId: Nullable(Type.String({ minLength: 1, maxLength: 64 })),
    title: Title,
    script: Script,
  }),
  digest: InputObject({
    /** When the digest goes out, every working day. */
    time: ClockTime,
    /** A digest missed (server down) is still sent until this time the same day, not after. */
    usefulUntil: ClockTime,
  }),
  off_hours: InputObject({ script: Script }),
} as const satisfies Record<RuleKind, TSchema>;
export type RuleConfigs = { [K in RuleKind]: Static<(typeof RuleConfigs)[K]> };
export type RuleConfig = RuleConfigs[RuleKind];

/** `PATCH /api/automations/rules/<kind>`: switch on or off, change the recipients or some settings. */
export const UpdateRuleBody = <K extends RuleKind>(kind: K) =>
  InputObject(
    {
      enabled: Type.Optional(Type.Boolean()),
      recipients: Type.Optional(Type.Partial(Recipients, { additionalProperties: false })),
      config: Type.Optional(Type.Partial(RuleConfigs[kind], { additionalProperties: false })),
    },
    { minProperties: 1 },
  );

export const Rule = Type.Object({
  id: Type.Integer(),
  kind: OneOf(ruleKinds),
  name: Type.String(),
  enabled: Type.Boolean(),
  recipients: Type.Object({
    rep: Type.Boolean(),
    managers: Type.Boolean(),
    departmentRobot: Type.Boolean(),
    robotIds: Type.Array(Type.Integer()),
    userIds: Type.Array(Type.String()),
  }),
  config: Type.Record(Type.String(), Type.Unknown()),
  lastRunAt: Nullable(Type.Integer()),
  updatedAt: Type.Integer(),
});
export type Rule = Static<typeof Rule>;
export const RuleList = Type.Object({ rules: Type.Array(Rule) });
export const RuleKindParams = InputObject({ kind: OneOf(ruleKinds) });

export const runOutcomes = ['fired', 'skipped', 'nothing', 'error'] as const;
export const RuleRun = Type.Object({
  id: Type.Integer(),
  at: Type.Integer(),
  /** The period a daily rule ran for (`2026-12-07`), or null for event and per-minute runs. */
  period: Nullable(Type.String()),
  outcome: OneOf(runOutcomes),
  /** What it did, in Chinese (e.g. 提醒 3 位员工). */
  detail: Type.String(),
  count: Type.Integer(),
});
export const RuleRunList = Type.Object({ runs: Type.Array(RuleRun) });
export const RunsQuery = InputObject({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) });

// ---- notifications ---------------------------------------------------------------------------------------------------

export const notificationStatuses = ['pending', 'sending', 'sent', 'failed', 'unknown', 'skipped'] as const;
export type NotificationStatus = (typeof notificationStatuses)[number];

export const Notification = Type.Object({
  id: Type.Integer(),
  /** One per (rule, subject, period): e.g. `unreplied:turn:42:nudge`. */
  key: Type.String(),
  kind: Type.String(),
  channel: Type.Union([Type.Literal('robot'), Type.Literal('app')]),
  robotId: Nullable(Type.Integer()),
  toUserIds: Type.Array(Type.String()),
  externalUserId: Nullable(Type.String()),
  status: OneOf(notificationStatuses),
  parts: Type.Integer(),
  partsSent: Type.Integer(),
  /** The first part's text, for the log. */
  preview: Type.String(),
  lastError: Nullable(Type.String()),
  createdAt: Type.Integer(),
  sentAt: Nullable(Type.Integer()),
});
export type Notification = Static<typeof Notification>;
export const NotificationList = Type.Object({ notifications: Type.Array(Notification) });
export const NotificationQuery = InputObject({
  status: Type.Optional(OneOf(notificationStatuses)),
  kind: Type.Optional(QueryText({ maxLength: 40 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  /** Older than this id (paging). */
  before: Type.Optional(Type.Integer({ minimum: 1 })),
});

// ---- tasks -----------------------------------------------------------------------------------------------------------

export const Task = Type.Object({
  id: Type.Integer(),
  externalUserId: Type.String(),
  customerName: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  detail: Type.String(),
  /** A suggested script to send (the rep may edit it first). */
  script: Type.String(),
  dueAt: Type.Integer(),
  overdue: Type.Boolean(),
  status: Type.Union([Type.Literal('open'), Type.Literal('done'), Type.Literal('cancelled')]),
  snoozedUntil: Nullable(Type.Integer()),
  doneAt: Nullable(Type.Integer()),
});
export type Task = Static<typeof Task>;

export const TaskQuery = InputObject({
  externalUserId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
});
export type TaskQuery = Static<typeof TaskQuery>;

/** The rep's tasks to do now (snoozed ones come back when their time comes), and how many there are in all. */
export const TaskList = Type.Object({
  items: Type.Array(Task),
  /** Every open task of the rep that is due (all customers). */
  openCount: Type.Integer(),
  overdueCount: Type.Integer(),
});
export type TaskList = Static<typeof TaskList>;

export const SnoozeBody = InputObject({
  /** Minutes from now (60 = an hour); or `until` a moment. */
  minutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 30 * 1440 })),
  until: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type SnoozeBody = Static<typeof SnoozeBody>;

export const OverdueQuery = InputObject({
  departmentId: Type.Optional(Type.Integer({ minimum: 1 })),
});
export const OverdueCounts = Type.Object({
  at: Type.Integer(),
  reps: Type.Array(
    Type.Object({ userId: Type.String(), name: Type.String(), open: Type.Integer(), overdue: Type.Integer() }),
  ),
});
export type OverdueCounts = Static<typeof OverdueCounts>;

// ---- birthdays -------------------------------------------------------------------------------------------------------

export const Birthday = Type.Object({
  month: Type.Integer(),
  day: Type.Integer(),
  year: Nullable(Type.Integer()),
  source: Type.String(),
});
export type Birthday = Static<typeof Birthday>;
export const BirthdayBody = InputObject({
  month: Type.Integer({ minimum: 1, maximum: 12 }),
  day: Type.Integer({ minimum: 1, maximum: 31 }),
  year: Type.Optional(NullableInteger({ minimum: 1900, maximum: 2100 })),
});
export type BirthdayBody = Static<typeof BirthdayBody>;
export const BirthdayAnswer = Type.Object({ birthday: Nullable(Birthday) });

// ---- integrations ----------------------------------------------------------------------------------------------------

export const Integration = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  /** The token's first characters, to recognise it; the token itself is shown once, when created. */
  tokenPrefix: Type.String(),
  createdAt: Type.Integer(),
  lastUsedAt: Nullable(Type.Integer()),
  revokedAt: Nullable(Type.Integer()),
});
export const IntegrationList = Type.Object({ integrations: Type.Array(Integration) });
export const CreateIntegrationBody = InputObject({ name: Type.String({ minLength: 1, maxLength: 50 }) });
export const CreatedIntegration = Type.Object({
  integration: Integration,
  /** Shown this once: only its hash is stored. */
  token: Type.String(),
});

/** How the customer of an order is found: the first field given, in this order. */
export const OrderBody = InputObject({
  orderId: Type.String({ minLength: 1, maxLength: 100 }),
  externalUserId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  unionId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  /** Matched against the reps' remark mobiles (备注手机号) of the customer. */
  phone: Type.Optional(PatternString('^\\+?[0-9 -]{5,20}$', '应为手机号码')),
  /** In yuan, e.g. 199.00. */
  amount: Type.Number({ minimum: 0, maximum: 1e9 }),
  currency: Type.Optional(PatternString('^[A-Z]{3}$', '应为三位大写货币代码，例如 CNY')),
  /** When the order was placed (ms); default now. */
  orderedAt: Type.Optional(Type.Integer({ minimum: 0 })),
  items: Type.Optional(
    Type.Array(
      InputObject({
        name: Type.String({ minLength: 1, maxLength: 100 }),
        quantity: Type.Integer({ minimum: 1, maximum: 1e6 }),
        price: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9 })),
      }),
      { maxItems: 100 },
    ),
  ),
});
export type OrderBody = Static<typeof OrderBody>;

export const OrderResult = Type.Object({
  id: Type.Integer(),
  orderId: Type.String(),
  externalUserId: Type.String(),
  userId: Nullable(Type.String()),
  matchedBy: Type.Union([Type.Literal('external_user_id'), Type.Literal('unionid'), Type.Literal('phone')]),
  /** False when this order id was recorded before (nothing changed). */
  created: Type.Boolean(),
  /** The customer had bought before. */
  repeat: Type.Boolean(),
});
export type OrderResult = Static<typeof OrderResult>;

export const IntegrationBirthdayBody = InputObject({
  externalUserId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  unionId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  phone: Type.Optional(PatternString('^\\+?[0-9 -]{5,20}$', '应为手机号码')),
  month: Type.Integer({ minimum: 1, maximum: 12 }),
  day: Type.Integer({ minimum: 1, maximum: 31 }),
  year: Type.Optional(NullableInteger({ minimum: 1900, maximum: 2100 })),
});
export type IntegrationBirthdayBody = Static<typeof IntegrationBirthdayBody>;

export const webhookEventTypes = [
  'customer.added',
  'customer.lost',
  'customer.tagged',
  'customer.stage_changed',
  'order.created',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];
const EventTypes = Type.Array(OneOf(webhookEventTypes), {
  minItems: 1,
  maxItems: webhookEventTypes.length,
  uniqueItems: true,
});
const EndpointUrl = PatternString('^https?://[^\\s]+$', '应为 http:// 或 https:// 开头的地址', { maxLength: 500 });

export const WebhookEndpoint = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  createdAt: Type.Integer(),
});
export const WebhookEndpointList = Type.Object({ endpoints: Type.Array(WebhookEndpoint) });
export const CreateWebhookBody = InputObject({
  name: Type.String({ minLength: 1, maxLength: 50 }),
  url: EndpointUrl,
  events: EventTypes,
});
export const UpdateWebhookBody = InputObject(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    url: Type.Optional(EndpointUrl),
    events: Type.Optional(EventTypes),
    enabled: Type.Optional(Type.Boolean()),
  },
  { minProperties: 1 },
);
export const CreatedWebhook = Type.Object({
  endpoint: WebhookEndpoint,
  /** The signing secret, shown this once (HMAC-SHA256, see the README). */
  secret: Type.String(),
});
export const WebhookDelivery = Type.Object({
  id: Type.Integer(),
  eventId: Type.String(),
  eventType: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  lastStatus: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  createdAt: Type.Integer(),
  deliveredAt: Nullable(Type.Integer()),
});
export const WebhookDeliveryList = Type.Object({ deliveries: Type.Array(WebhookDelivery) });
export const DeliveriesQuery = InputObject({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
