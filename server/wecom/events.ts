/**
 * Typed callback events (decrypted inner XML, wecom-protocol.md §3).
 *
 * Policy for values WeCom may add later: an event whose `Event`/`MsgType` is unknown, or a known event with a
 * `ChangeType` this code doesn't know, becomes `kind: 'unknown'` (keeping msgType, event and changeType). That way
 * a `switch (e.changeType)` on a typed variant never meets a surprise string, and new WeCom events are stored
 * rather than crashing the callback. A known event missing its identifying fields (UserID, ChatId, MsgId…) or
 * with a non-numeric CreateTime is malformed and throws WecomXmlError.
 */
import { createHash } from 'node:crypto';
import { buildXml, parseXml, WecomXmlError } from './xml.js';

interface EventBase {
  /** corpid (self-built app). */
  toUserName: string;
  /** `sys` for system events, the member's UserID for app messages. */
  fromUserName: string;
  /** Unix seconds. */
  createTime: number;
  /** Every field of the inner XML as parsed (strings; `<Item>` lists as arrays). */
  raw: Record<string, unknown>;
}

export const EXTERNAL_CONTACT_CHANGE_TYPES = [
  'add_external_contact',
  'edit_external_contact',
  'add_half_external_contact',
  'del_external_contact',
  'del_follow_user',
  'transfer_fail',
  'msg_audit_approved',
] as const;
export type ExternalContactChangeType = (typeof EXTERNAL_CONTACT_CHANGE_TYPES)[number];

export interface ExternalContactEvent extends EventBase {
  kind: 'external_contact';
  changeType: ExternalContactChangeType;
  userId: string;
  externalUserId: string;
  /** The 「联系我」 `state` (channel code) the customer came through. */
  state?: string;
  /** Valid for 20 s, single use: the key to send_welcome_msg. */
  welcomeCode?: string;
  /** `DELETE_BY_TRANSFER` on del_external_contact caused by 在职继承. */
  source?: string;
  /** `customer_refused` | `customer_limit_exceed` on transfer_fail. */
  failReason?: string;
}

export const EXTERNAL_CHAT_CHANGE_TYPES = ['create', 'update', 'dismiss'] as const;
export type ExternalChatChangeType = (typeof EXTERNAL_CHAT_CHANGE_TYPES)[number];

export interface ExternalChatEvent extends EventBase {
  kind: 'external_chat';
  chatId: string;
  changeType: ExternalChatChangeType;
  /** `add_member` | `del_member` | `change_owner` | `change_name` | `change_notice` (kept as WeCom's string). */
  updateDetail?: string;
  joinScene?: string;
  quitScene?: string;
  memChangeCnt?: string;
  memChangeList: string[];
  lastMemVer?: string;
  curMemVer?: string;
}

export const EXTERNAL_TAG_CHANGE_TYPES = ['create', 'update', 'delete', 'shuffle'] as const;
export type ExternalTagChangeType = (typeof EXTERNAL_TAG_CHANGE_TYPES)[number];

export interface ExternalTagEvent extends EventBase {
  kind: 'external_tag';
  /** Tag id or tag-group id, depending on tagType. */
  id: string;
  /** Absent on `shuffle`. */
  tagType?: 'tag' | 'tag_group';
  changeType: ExternalTagChangeType;
  strategyId?: string;
}

/** 会话存档 "there are new messages" hint; carries no data. */
export interface MsgauditNotifyEvent extends EventBase {
  kind: 'msgaudit_notify';
  agentId?: string;
}

/** 微信客服: pull the news with kf/sync_msg using `token` (valid 10 min). */
export interface KfMsgOrEvent extends EventBase {
  kind: 'kf_msg_or_event';
  token: string;
  openKfId: string;
}

export const APP_MESSAGE_TYPES = ['text', 'image', 'voice', 'video', 'location', 'link'] as const;
export type AppMessageType = (typeof APP_MESSAGE_TYPES)[number] | 'other';

/** A member wrote to the app (接收消息). Customers' chat messages never arrive here. */
export interface AppMessage extends EventBase {
  kind: 'app_message';
  /** `other` for types not listed; `raw.MsgType` keeps WeCom's value. */
  msgType: AppMessageType;
  msgId: string;
  agentId: string;
  content?: string;
  picUrl?: string;
  mediaId?: string;
  format?: string;
  thumbMediaId?: string;
  locationX?: string;
  locationY?: string;
  scale?: string;
  label?: string;
  title?: string;
  description?: string;
  url?: string;
}

/** Anything else, including known events with an unknown ChangeType. */
export interface UnknownEvent extends EventBase {
  kind: 'unknown';
  msgType: string;
  event?: string;
  changeType?: string;
}

export type WecomEvent =
  | ExternalContactEvent
  | ExternalChatEvent
  | ExternalTagEvent
  | MsgauditNotifyEvent
  | KfMsgOrEvent
  | AppMessage
  | UnknownEvent;

/** Parses the outer POST body `<xml><ToUserName/><Encrypt/><AgentID/></xml>`. */
export function parseEnvelope(xml: string): { toUserName: string; encrypt: string; agentId: string } {
  const fields = parseXml(xml);
  const encrypt = text(fields, 'Encrypt');
  if (!encrypt) throw new WecomXmlError('callback envelope has no <Encrypt> element');
  return { toUserName: text(fields, 'ToUserName') ?? '', encrypt, agentId: text(fields, 'AgentID') ?? '' };
}

/**
 * Parses a decrypted callback (event or app message) into a typed WecomEvent.
 *
 * `raw` is attached as a non-enumerable property: it is there for code that needs a field this module does not
 * type, but `JSON.stringify(event)` (the inbox payload) leaves it out without a replacer function, which would be
 * called for every key on the callback hot path. Likewise the typed fields are added to the base object in place
 * (`Object.assign(base, …)` rather than `{ ...base, … }`: on Node 20 a spread followed by more properties takes
 * ~4 µs per object).
 */
export function parseEvent(xml: string): WecomEvent {
  const raw = parseXml(xml);
  const base = {
    toUserName: text(raw, 'ToUserName') ?? '',
    fromUserName: text(raw, 'FromUserName') ?? '',
    createTime: parseCreateTime(text(raw, 'CreateTime')),
  } as EventBase;
  Object.defineProperty(base, 'raw', { value: raw, enumerable: false });
  const msgType = text(raw, 'MsgType') ?? '';
  const event = text(raw, 'Event');
  const changeType = text(raw, 'ChangeType');

  if (msgType !== 'event') {
    return msgType && raw['MsgId'] !== undefined
      ? parseAppMessage(base, raw, msgType)
      : unknownEvent(base, msgType, event, changeType);
  }
  switch (event) {
    case 'change_external_contact':
      if (!isOneOf(changeType, EXTERNAL_CONTACT_CHANGE_TYPES)) return unknownEvent(base, msgType, event, changeType);
      return Object.assign(base, {
        kind: 'external_contact' as const,
        changeType,
        userId: required(raw, 'UserID'),
        externalUserId: required(raw, 'ExternalUserID'),
        state: text(raw, 'State'),
        welcomeCode: text(raw, 'WelcomeCode'),
        source: text(raw, 'Source'),
        failReason: text(raw, 'FailReason'),
      });
    case 'change_external_chat':
      if (!isOneOf(changeType, EXTERNAL_CHAT_CHANGE_TYPES)) return unknownEvent(base, msgType, event, changeType);
      return Object.assign(base, {
        kind: 'external_chat' as const,
        chatId: required(raw, 'ChatId'),
        changeType,
        updateDetail: text(raw, 'UpdateDetail'),
        joinScene: text(raw, 'JoinScene'),
        quitScene: text(raw, 'QuitScene'),
        memChangeCnt: text(raw, 'MemChangeCnt'),
        memChangeList: items(raw, 'MemChangeList'),
        lastMemVer: text(raw, 'LastMemVer'),
        curMemVer: text(raw, 'CurMemVer'),
      });
    case 'change_external_tag': {
      if (!isOneOf(changeType, EXTERNAL_TAG_CHANGE_TYPES)) return unknownEvent(base, msgType, event, changeType);
      const tagType = text(raw, 'TagType');
      return Object.assign(base, {
        kind: 'external_tag' as const,
        id: required(raw, 'Id'),
        // An unexpected TagType is dropped rather than mistyped; raw still has it.
        tagType: tagType === 'tag' || tagType === 'tag_group' ? (tagType as 'tag' | 'tag_group') : undefined,
        changeType,
        strategyId: text(raw, 'StrategyId'),
      });
    }
    case 'msgaudit_notify':
      return Object.assign(base, { kind: 'msgaudit_notify' as const, agentId: text(raw, 'AgentID') });
    case 'kf_msg_or_event':
      return Object.assign(base, {
        kind: 'kf_msg_or_event' as const,
        token: required(raw, 'Token'),
        openKfId: required(raw, 'OpenKfId'),
      });
    default:
      return unknownEvent(base, msgType, event, changeType);
  }
}

/** An event this code does not type (see the policy at the top); a function, not a closure made per callback. */
function unknownEvent(
  base: EventBase,
  msgType: string,
  event: string | undefined,
  changeType: string | undefined,
): UnknownEvent {
  return Object.assign(base, { kind: 'unknown' as const, msgType, event, changeType });
}

function parseAppMessage(base: EventBase, raw: Record<string, unknown>, msgType: string): AppMessage {
  return Object.assign(base, {
    kind: 'app_message' as const,
    msgType: isOneOf(msgType, APP_MESSAGE_TYPES) ? msgType : ('other' as const),
    msgId: required(raw, 'MsgId'),
    agentId: text(raw, 'AgentID') ?? '',
    content: text(raw, 'Content'),
    picUrl: text(raw, 'PicUrl'),
    mediaId: text(raw, 'MediaId'),
    format: text(raw, 'Format'),
    thumbMediaId: text(raw, 'ThumbMediaId'),
    locationX: text(raw, 'Location_X'),
    locationY: text(raw, 'Location_Y'),
    scale: text(raw, 'Scale'),
    label: text(raw, 'Label'),
    title: text(raw, 'Title'),
    description: text(raw, 'Description'),
    url: text(raw, 'Url'),
  });
}

/**
 * The inbox dedupe key: equal for WeCom's retries of one callback, different for distinct events. Keys are unique
 * per corp (the inbox stores them next to the corp id).
 *
 * The key leads with CreateTime, so the inbox's unique index grows at its right edge as the table does: only the
 * events of the current second interleave. Led by the event name and rep instead, every insert landed on a random
 * page of the whole index, and each commit rewrote one 8 KB page per new event (with realistic user ids, 22 µs
 * instead of 12 µs per inserted row, and worse once the index outgrows the page cache).
 */
export function idempotencyKey(e: WecomEvent): string {
  // Stored keys before migration 0004 were the identity alone; the migration prefixed them the same way.
  return `${e.createTime}|${identityOf(e)}`;
}

/**
 * What tells one event from another within its second. WeCom's own advice, FromUserName+CreateTime, collides for
 * system events (FromUserName is always `sys`), hence the per-kind identities below.
 */
function identityOf(e: WecomEvent): string {
  switch (e.kind) {
    case 'external_contact':
      return ['change_external_contact', e.changeType, e.userId, e.externalUserId, e.createTime].join('|');
    case 'external_chat': {
      // Two member changes of one chat can share a second; CurMemVer (the new member version) tells them apart.
      const key = ['change_external_chat', e.changeType, e.chatId, e.createTime];
      if (e.changeType === 'update') key.push(e.updateDetail ?? '', e.curMemVer ?? '');
      return key.join('|');
    }
    case 'external_tag':
      return ['change_external_tag', e.changeType, e.tagType ?? '', e.id, e.strategyId ?? '', e.createTime].join('|');
    case 'msgaudit_notify':
      // WeCom sends at most one per 15 s window.
      return ['msgaudit_notify', e.createTime].join('|');
    case 'kf_msg_or_event':
      return ['kf_msg_or_event', e.openKfId, e.token, e.createTime].join('|');
    case 'app_message':
      return `msg|${e.msgId}`;
    case 'unknown': {
      // Nothing is known to identify it, so the content does: a retry repeats the same XML, a new event differs.
      const digest = createHash('sha1').update(JSON.stringify(e.raw)).digest('hex').slice(0, 16);
      return [e.event ?? e.msgType, e.changeType ?? '', e.fromUserName, e.createTime, digest].join('|');
    }
  }
}

/** A short label for logs and the timeline, e.g. `change_external_contact/add_external_contact`, `msg/text`. */
export function eventTypeOf(e: WecomEvent): string {
  switch (e.kind) {
    case 'external_contact':
      return `change_external_contact/${e.changeType}`;
    case 'external_chat':
      return `change_external_chat/${e.changeType}`;
    case 'external_tag':
      return `change_external_tag/${e.changeType}`;
    case 'msgaudit_notify':
      return 'msgaudit_notify';
    case 'kf_msg_or_event':
      return 'kf_msg_or_event';
    case 'app_message':
      return `msg/${text(e.raw, 'MsgType') ?? e.msgType}`;
    case 'unknown':
      if (e.msgType === 'event' || e.event)
        return e.changeType ? `${e.event ?? ''}/${e.changeType}` : (e.event ?? 'event');
      return `msg/${e.msgType || 'unknown'}`;
  }
}

/** The inner XML of a change_external_contact callback, field for field like WeCom's official example (§3.1). */
export function buildExternalContactEventXml(input: {
  corpId: string;
  changeType: string;
  userId: string;
  externalUserId: string;
  createTime: number;
  state?: string;
  welcomeCode?: string;
  source?: string;
  failReason?: string;
}): string {
  return buildXml({
    ToUserName: input.corpId,
    FromUserName: 'sys',
    CreateTime: input.createTime,
    MsgType: 'event',
    Event: 'change_external_contact',
    ChangeType: input.changeType,
    UserID: input.userId,
    ExternalUserID: input.externalUserId,
    State: input.state,
    WelcomeCode: input.welcomeCode,
    Source: input.source,
    FailReason: input.failReason,
  });
}

function text(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  return typeof value === 'string' ? value : undefined;
}

function required(fields: Record<string, unknown>, name: string): string {
  const value = text(fields, name);
  if (!value) throw new WecomXmlError(`callback is missing <${name}>`);
  return value;
}

function items(fields: Record<string, unknown>, name: string): string[] {
  const list = fields[name];
  if (!list || typeof list !== 'object') return [];
  const item = (list as Record<string, unknown>)['Item'];
  return Array.isArray(item) ? item.filter((v): v is string => typeof v === 'string') : [];
}

function parseCreateTime(value: string | undefined): number {
  const trimmed = value?.trim();
  if (!trimmed || !/^\d{1,12}$/.test(trimmed))
    throw new WecomXmlError('callback CreateTime is missing or not a number');
  return Number(trimmed);
}

function isOneOf<T extends string>(value: string | undefined, options: readonly T[]): value is T {
  return value !== undefined && (options as readonly string[]).includes(value);
}
