import type { ArchivedMessage } from '../../archive/types.js';
import type { ConversationKind, MessageDirection, MessageSource } from '../../db/schema/messages.js';

/**
 * A decrypted archive message (wecom-protocol.md §6.3) made into what the product stores: who talks to whom in which
 * conversation, what a person reads (text or a Chinese placeholder), what search indexes, which media files to
 * fetch, and what the message does to others (a revoke recalls one, agree/disagree records consent).
 */

export interface ConversationRef {
  key: string;
  kind: ConversationKind;
  userId: string | null;
  externalUserId: string | null;
  roomId: string | null;
}

export interface MediaRef {
  position: number;
  kind: string;
  sdkFileId: string;
  md5sum: string;
  declaredSize: number | null;
  name: string;
}

export interface NewMessage {
  msgid: string;
  seq: number | null;
  action: string;
  sender: string;
  receivers: string[];
  roomId: string | null;
  sentAt: number;
  type: string;
  text: string;
  /** What search indexes (the text plus titles, file names, quoted records). */
  searchText: string;
  content: Record<string, unknown>;
  source: MessageSource;
  conversation: ConversationRef | null;
  userId: string | null;
  externalUserId: string | null;
  direction: MessageDirection;
  media: MediaRef[];
  /** revoke: the msgid it recalls. */
  recalls: string | null;
  /** agree / disagree records: the pair's new consent. */
  consent: { userId: string; externalUserId: string; status: 'agree' | 'disagree'; at: number } | null;
}

/** Whether an id is one of the corp's members (reps); anything else is an external contact or a robot. */
export type MemberTest = (id: string) => boolean;

/**
 * Member test from the reps mirror, with WeCom's id shapes as the fallback for members not mirrored yet: external
 * contacts are `wm…`/`wo…`, robots `wb…`; member userids are chosen by the corp.
 */
export function memberTest(reps: ReadonlySet<string>): MemberTest {
  return (id) => reps.has(id) || !/^w[mob][A-Za-z0-9_-]{10,}$/.test(id);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Mixed and chat-record items carry their content as a JSON string. */
function parseItemContent(v: unknown): Record<string, unknown> {
  if (typeof v !== 'string') return obj(v);
  try {
    return obj(JSON.parse(v));
  } catch {
    return { content: v };
  }
}

const seconds = (v: unknown) => {
  const n = num(v);
  return n === null ? '' : ` ${n}秒`;
};

/** Types whose object is a media file fetched with GetMediaData, and the field holding its size. */
const MEDIA_SIZE_FIELD: Record<string, string> = {
  image: 'filesize',
  voice: 'voice_size',
  video: 'filesize',
  file: 'filesize',
  emotion: 'imagesize',
};

/** What a person reads for a message of `type` with object `o` (the placeholder of anything but text). */
export function displayText(type: string, o: Record<string, unknown>): string {
  switch (type) {
    case 'text':
      return str(o.content);
    case 'markdown':
      return str(o.content) || str(obj(o.info).content) || '[Markdown]';
    case 'image':
      return '[图片]';
    case 'voice':
      return `[语音]${seconds(o.play_length)}`;
    case 'video':
      return `[视频]${seconds(o.play_length)}`;
    case 'file':
      return `[文件] ${str(o.filename)}`.trim();
    case 'emotion':
      return '[表情]';
    case 'link':
      return `[链接] ${str(o.title)}`.trim();
    case 'weapp':
      return `[小程序] ${str(o.title) || str(o.displayname)}`.trim();
    case 'location':
      return `[位置] ${[str(o.title), str(o.address)].filter(Boolean).join(' ')}`.trim();
    case 'card':
      return `[名片] ${[str(o.corpname), str(o.userid)].filter(Boolean).join(' ')}`.trim();
    case 'mixed':
      return (Array.isArray(o.item) ? o.item : [])
        .map((item) => {
          const i = obj(item);
          const type = str(i.type);
          return displayText(type, parseItemContent(i.content));
        })
        .join('');
    case 'chatrecord':
      return `[聊天记录] ${str(o.title)}`.trim();
    case 'revoke':
      return '[撤回] 撤回了一条消息';
    case 'agree':
      return '[同意存档] 客户同意会话内容存档';
    case 'disagree':
      return '[拒绝存档] 客户不同意会话内容存档';
    case 'switch':
      return '[切换企业]';
    case 'todo':
      return `[待办] ${str(o.title)}`.trim();
    case 'vote':
      return `[投票] ${str(o.votetitle)}`.trim();
    case 'collect':
      return `[填表] ${str(o.title)}`.trim();
    case 'redpacket':
    case 'external_redpacket':
      return `[红包] ${str(o.wish)}`.trim();
    case 'meeting':
      return `[会议] ${str(o.topic)}`.trim();
    case 'docmsg':
      return `[在线文档] ${str(o.title)}`.trim();
    case 'news':
      return `[图文] ${str(obj((obj(o.info).item as unknown[] | undefined)?.[0]).title)}`.trim();
    case 'calendar':
      return `[日程] ${str(o.title)}`.trim();
    case 'meeting_voice_call':
      return '[音频存档]';
    case 'voip_doc_share':
      return `[音频共享文档] ${str(o.filename)}`.trim();
    case 'sphfeed':
      return `[视频号] ${str(o.feed_desc) || str(o.sph_name)}`.trim();
    case 'voiptext':
      return '[音视频通话]';
    case 'qydiskfile':
      return `[微盘文件] ${str(obj(o.info).filename)}`.trim();
    default:
      return `[${type || '未知'}消息] 暂不支持显示此类消息`;
  }
}

/** Text beyond the display text that search should find (link descriptions, quoted chat records, weapp names). */
function extraSearchText(type: string, o: Record<string, unknown>): string {
  switch (type) {
    case 'link':
      return [o.description, o.link_url].map(str).join(' ');
    case 'weapp':
      return [o.description, o.displayname].map(str).join(' ');
    case 'chatrecord':
      return (Array.isArray(o.item) ? o.item : [])
        .map((item) => str(parseItemContent(obj(item).content).content))
        .join(' ');
    default:
      return '';
  }
}

function mediaRefs(type: string, o: Record<string, unknown>): MediaRef[] {
  const one = (kind: string, x: Record<string, unknown>, position: number): MediaRef | null => {
    const sdkFileId = str(x.sdkfileid);
    if (!sdkFileId) return null;
    return {
      position,
      kind,
      sdkFileId,
      md5sum: str(x.md5sum).toLowerCase(),
      declaredSize: num(x[MEDIA_SIZE_FIELD[kind] ?? 'filesize']) ?? num(x.filesize),
      name: str(x.filename),
    };
  };
  if (type in MEDIA_SIZE_FIELD) {
    const ref = one(type, o, 0);
    return ref ? [ref] : [];
  }
  if (type === 'mixed' || type === 'chatrecord') {
    const refs: MediaRef[] = [];
    (Array.isArray(o.item) ? o.item : []).forEach((item, position) => {
      const i = obj(item);
      const kind = str(i.type)
        .replace(/^ChatRecord/, '')
        .toLowerCase();
      if (!(kind in MEDIA_SIZE_FIELD)) return;
      const ref = one(kind, parseItemContent(i.content), position);
      if (ref) refs.push(ref);
    });
    return refs;
  }
  return [];
}

/** Who the message is between: its conversation, the rep and customer concerned, and which way it went. */
function participants(
  m: ArchivedMessage,
  isMember: MemberTest,
): Pick<NewMessage, 'conversation' | 'userId' | 'externalUserId' | 'direction'> {
  const from = str(m.from);
  const roomId = str(m.roomid);
  const fromMember = isMember(from);
  if (m.action === 'switch' || !from) {
    return { conversation: null, userId: from || str(m.user) || null, externalUserId: null, direction: 'internal' };
  }
  if (roomId) {
    const external = !fromMember || m.msgid.endsWith('_external');
    return {
      conversation: { key: `group:${roomId}`, kind: 'group', userId: null, externalUserId: null, roomId },
      userId: fromMember ? from : null,
      externalUserId: fromMember ? null : from,
      direction: !fromMember ? 'customer_to_rep' : external ? 'rep_to_customer' : 'internal',
    };
  }
  const to = str((m.tolist ?? [])[0]);
  const toMember = isMember(to);
  if (fromMember && toMember) {
    const pair = [from, to].sort();
    return {
      conversation: {
        key: `internal:${pair[0]}:${pair[1]}`,
        kind: 'internal',
        userId: null,
        externalUserId: null,
        roomId: null,
      },
      userId: from,
      externalUserId: null,
      direction: 'internal',
    };
  }
  // One side is a customer; with neither a member (a robot writing to a customer), the sender counts as the rep.
  const [rep, customer] = fromMember || !toMember ? [from, to] : [to, from];
  return {
    conversation: {
      key: `single:${rep}:${customer}`,
      kind: 'single',
      userId: rep,
      externalUserId: customer,
      roomId: null,
    },
    userId: rep,
    externalUserId: customer,
    direction: rep === from ? 'rep_to_customer' : 'customer_to_rep',
  };
}

/** The message to store for a decrypted archive item. */
export function fromArchive(m: ArchivedMessage, seq: number, isMember: MemberTest): NewMessage {
  const type = m.action === 'switch' ? 'switch' : str(m.msgtype) || 'unknown';
  const known = type in m;
  let content: Record<string, unknown>;
  if (type === 'switch') content = { time: m.time, user: m.user };
  else if (known) content = obj(m[type]);
  else {
    // A type this code does not know: keep everything but the common fields, so nothing is lost.
    const { msgid: _a, action: _b, from: _c, tolist: _d, roomid: _e, msgtime: _f, msgtype: _g, ...rest } = m;
    content = rest;
  }
  const parties = participants(m, isMember);
  const text = displayText(type, content);
  const sentAt = num(m.msgtime) ?? num(m.time) ?? 0;
  let consent: NewMessage['consent'] = null;
  if ((type === 'agree' || type === 'disagree') && parties.conversation?.kind === 'single') {
    const at = num(content.agree_time) ?? num(content.disagree_time) ?? sentAt;
    consent = {
      userId: parties.userId!,
      externalUserId: parties.externalUserId!,
      status: type,
      at: at < 1e11 ? at * 1000 : at,
    };
  }
  return {
    msgid: m.msgid,
    seq,
    action: str(m.action) || 'send',
    sender: str(m.from) || str(m.user),
    receivers: Array.isArray(m.tolist) ? m.tolist.map(str) : [],
    roomId: str(m.roomid) || null,
    sentAt,
    type,
    text,
    searchText: `${text} ${extraSearchText(type, content)}`.trim(),
    content,
    source: 'archive',
    ...parties,
    media: mediaRefs(type, content),
    recalls: type === 'revoke' ? str(content.pre_msgid) || null : null,
    consent,
  };
}
