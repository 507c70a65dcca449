import { createHash, randomBytes } from 'node:crypto';
import { buildXml } from '../wecom/xml.js';
import {
  corruptCiphertext,
  encryptChatMessage,
  encryptRandomKey,
  generateArchiveKeyPair,
  newRandomKey,
  type ArchiveKeyPair,
} from './archive-crypto.js';
import { buildTypeObject, type ChatInput, type MediaRef } from './archive-messages.js';
import type { EmulatorCore } from './core.js';
import { sendEncryptedCallback, type DeliveryAttempt } from './delivery.js';
import { EmulatorInputError } from './errcodes.js';
import { newOpaqueToken } from './ids.js';
import type { Json } from './params.js';
import { sleepUnlessAborted } from './sleep.js';

/**
 * The chat archive (会话内容存档) as WeCom plays it (wecom-protocol.md §3.5, §6): a Secret and RSA key versions
 * registered by the admin, messages with a monotonically increasing `seq`, each encrypted for a key version, media
 * served in pieces, `msgaudit_notify` callbacks, and consent records. The stand-in Finance SDK reads it over HTTP
 * (routes-archive.ts); state persists with the rest of the emulator's (`data.archive`).
 */

/** One registered key version. The emulator plays the admin who generated it, so it keeps the private key too. */
export interface ArchiveKeyRecord {
  publickey_ver: number;
  public_key: string;
  private_key: string;
  /** Unix seconds. */
  created_at: number;
}

/** One item of GetChatData's `chatdata`, exactly as served. */
export interface ArchiveChatData {
  seq: number;
  msgid: string;
  publickey_ver: number;
  encrypt_random_key: string;
  encrypt_chat_msg: string;
}

export interface ArchiveMediaRecord {
  sdkfileid: string;
  /** base64 */
  data: string;
  md5sum: string;
  size: number;
  /** Unix seconds. */
  created_at: number;
}

export type ConsentStatus = 'Agree' | 'Disagree';

export interface ArchiveConsentRecord {
  userid: string;
  external_userid: string;
  status: ConsentStatus;
  /** Unix seconds. */
  status_change_time: number;
}

/** Everything the archive persists (in the emulator's state file, under `archive`). */
export interface ArchiveData {
  secret: string;
  keys: ArchiveKeyRecord[];
  current_ver: number;
  next_seq: number;
  chatdata: ArchiveChatData[];
  media: ArchiveMediaRecord[];
  consent: ArchiveConsentRecord[];
}

export interface ArchiveOptions {
  /** msgaudit_notify is sent at most once per window (WeCom: 15 s). Default 15000. */
  notifyWindowMs?: number;
  /** Messages kept, oldest dropped first (WeCom keeps a few days). Default 5000. */
  maxMessages?: number;
  /** Media bytes kept, oldest files dropped first. Default 16 MiB. */
  maxMediaBytes?: number;
  /** Bytes per GetMediaData piece (WeCom: 512 KB). */
  mediaChunkBytes?: number;
  /** The key pair registered as version 1 when the archive is first used (default: a new RSA-2048 pair). */
  keyPair?: ArchiveKeyPair;
}

export const SDK_OPS = ['init', 'chatdata', 'media'] as const;
export type SdkOp = (typeof SDK_OPS)[number];

/** Return codes of the Finance SDK (wecom-protocol.md §6.2). */
export const SDK_RET = {
  ok: 0,
  badParam: 10000,
  network: 10001,
  parse: 10002,
  system: 10003,
  fileId: 10005,
} as const;

export interface SdkFaultInput {
  op: SdkOp;
  /** How many of the next calls of `op` are affected (1..1000). */
  count: number;
  /** Answer with this SDK return code (e.g. 10001 network, 10003 system, 10009 ip). */
  ret?: number;
  /** chatdata only: answer ret 0 with this errcode in the JSON (a WeCom-side error). */
  errcode?: number;
  /** Hold the answer this long (real time). */
  delayMs?: number;
  /** Ask the library to abort() — a crash inside the native SDK. */
  abort?: boolean;
  /** Close the connection without answering (a network failure seen by the SDK). */
  drop?: boolean;
}

export interface SdkFault {
  op: SdkOp;
  remaining: number;
  ret: number | null;
  errcode: number | null;
  delayMs: number;
  abort: boolean;
  drop: boolean;
}

/** What the stand-in SDK receives: its return code, and the payload with the headers that describe it. */
export interface SdkAnswer {
  ret: number;
  body: string | Buffer;
  headers: Record<string, string>;
  delayMs: number;
  abort: boolean;
  drop: boolean;
}

export interface NotifyRecord {
  /** Emulator clock, ms. */
  at: number;
  /** Highest seq archived when the notify was sent. */
  lastSeq: number;
  attempts: DeliveryAttempt[];
}

export interface ChatResult {
  msgid: string;
  seq: number;
  /** The decrypted message JSON, as GetChatData + DecryptData give it back. */
  message: Json;
}

export interface ArchiveCredentials {
  corpId: string;
  /** The 聊天内容存档 Secret. */
  secret: string;
  /** publickey_ver → PKCS#1 PEM, every version ever registered. */
  privateKeys: Record<number, string>;
  currentVersion: number;
}

export interface ArchiveSummary {
  initialized: boolean;
  currentVersion: number | null;
  keyVersions: number[];
  messages: number;
  firstSeq: number | null;
  lastSeq: number | null;
  mediaFiles: number;
  notifies: NotifyRecord[];
  sdkFaults: SdkFault[];
}

const DEFAULTS = {
  notifyWindowMs: 15_000,
  maxMessages: 5000,
  maxMediaBytes: 16 * 1024 * 1024,
  mediaChunkBytes: 512 * 1024,
} as const;
const MAX_NOTIFY_RECORDS = 200;
const MAX_FAULT_DELAY_MS = 60_000;
const MEDIA_INDEX = /^offset:(\d{1,12})$/;

function isArchiveData(value: unknown): value is ArchiveData {
  const d = value as Partial<ArchiveData> | undefined;
  return (
    !!d &&
    typeof d.secret === 'string' &&
    Array.isArray(d.keys) &&
    d.keys.length > 0 &&
    typeof d.current_ver === 'number' &&
    typeof d.next_seq === 'number' &&
    Array.isArray(d.chatdata) &&
    Array.isArray(d.media) &&
    Array.isArray(d.consent)
  );
}

function sdkAnswer(ret: number, body: string | Buffer = '', headers: Record<string, string> = {}): SdkAnswer {
  return { ret, body, headers, delayMs: 0, abort: false, drop: false };
}

/** WeCom msgids look like base64 of a protobuf; those of chats with an external contact end with `_external`. */
function newArchiveMsgId(external: boolean): string {
  return randomBytes(23).toString('base64') + (external ? '_external' : '');
}

/** Validates an untrusted SDK fault (from POST /_archive/faults or a test). */
export function parseSdkFault(input: unknown): SdkFaultInput {
  if (!input || typeof input !== 'object' || Array.isArray(input))
    throw new EmulatorInputError('fault must be a JSON object { op, count, ret?, errcode?, delayMs?, abort?, drop? }');
  const o = input as Record<string, unknown>;
  if (typeof o.op !== 'string' || !(SDK_OPS as readonly string[]).includes(o.op))
    throw new EmulatorInputError(`op must be one of ${SDK_OPS.join(', ')}`);
  if (typeof o.count !== 'number' || !Number.isInteger(o.count) || o.count < 1 || o.count > 1000)
    throw new EmulatorInputError('count must be an integer from 1 to 1000');
  for (const key of ['ret', 'errcode'] as const) {
    const v = o[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v === 0))
      throw new EmulatorInputError(`${key} must be a non-zero integer`);
  }
  if (o.errcode !== undefined && o.op !== 'chatdata') throw new EmulatorInputError('errcode applies to chatdata only');
  if (
    o.delayMs !== undefined &&
    (typeof o.delayMs !== 'number' || !Number.isFinite(o.delayMs) || o.delayMs < 0 || o.delayMs > MAX_FAULT_DELAY_MS)
  )
    throw new EmulatorInputError(`delayMs must be a number from 0 to ${MAX_FAULT_DELAY_MS}`);
  for (const key of ['abort', 'drop'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') throw new EmulatorInputError(`${key} must be a boolean`);
  }
  const effects = [o.ret, o.errcode, o.abort || undefined, o.drop || undefined].filter((v) => v !== undefined);
  if (effects.length > 1) throw new EmulatorInputError('a fault has one effect: ret, errcode, abort or drop');
  if (effects.length === 0 && !o.delayMs)
    throw new EmulatorInputError('a fault needs ret, errcode, abort, drop or delayMs');
  return {
    op: o.op as SdkOp,
    count: o.count,
    ret: o.ret as number | undefined,
    errcode: o.errcode as number | undefined,
    delayMs: o.delayMs as number | undefined,
    abort: o.abort === true,
    drop: o.drop === true,
  };
}

export class EmulatorArchive {
  private readonly options: Required<Omit<ArchiveOptions, 'keyPair'>> & Pick<ArchiveOptions, 'keyPair'>;
  private initializing: Promise<ArchiveData> | null = null;
  private faults: SdkFault[] = [];
  private readonly notifyLog: NotifyRecord[] = [];
  private pendingNotify: Promise<NotifyRecord> | null = null;
  private lastNotifyAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly core: EmulatorCore,
    options: ArchiveOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  // ---- state -------------------------------------------------------------------------------------------------

  /** The archive's state, created on first use: a Secret and the first key pair (generated off the event loop). */
  async state(): Promise<ArchiveData> {
    const existing = this.core.data.archive;
    if (isArchiveData(existing)) return existing;
    this.initializing ??= (async () => {
      const pair = this.options.keyPair ?? (await generateArchiveKeyPair());
      const data: ArchiveData = {
        secret: newOpaqueToken(43),
        keys: [
          {
            publickey_ver: 1,
            public_key: pair.publicKey,
            private_key: pair.privateKey,
            created_at: this.core.clock.nowSeconds(),
          },
        ],
        current_ver: 1,
        next_seq: 1,
        chatdata: [],
        media: [],
        consent: [],
      };
      this.core.data.archive = data;
      this.core.changed();
      return data;
    })().finally(() => {
      this.initializing = null;
    });
    return this.initializing;
  }

  /** What the server is configured with in demo mode and tests: corpid, Secret, every private key. */
  async credentials(): Promise<ArchiveCredentials> {
    const s = await this.state();
    return {
      corpId: this.core.corp.corpId,
      secret: s.secret,
      privateKeys: Object.fromEntries(s.keys.map((k) => [k.publickey_ver, k.private_key])),
      currentVersion: s.current_ver,
    };
  }

  /** The admin uploads a new public key: a new version, used for every later message. */
  async registerKey(): Promise<{ publickey_ver: number; public_key: string }> {
    const s = await this.state();
    const pair = await generateArchiveKeyPair();
    const ver = Math.max(...s.keys.map((k) => k.publickey_ver)) + 1;
    s.keys.push({
      publickey_ver: ver,
      public_key: pair.publicKey,
      private_key: pair.privateKey,
      created_at: this.core.clock.nowSeconds(),
    });
    s.current_ver = ver;
    this.core.changed();
    return { publickey_ver: ver, public_key: pair.publicKey };
  }

  summary(): ArchiveSummary {
    const s = isArchiveData(this.core.data.archive) ? this.core.data.archive : null;
    return structuredClone({
      initialized: s !== null,
      currentVersion: s?.current_ver ?? null,
      keyVersions: s?.keys.map((k) => k.publickey_ver) ?? [],
      messages: s?.chatdata.length ?? 0,
      firstSeq: s?.chatdata[0]?.seq ?? null,
      lastSeq: s?.chatdata.at(-1)?.seq ?? null,
      mediaFiles: s?.media.length ?? 0,
      notifies: this.notifyLog,
      sdkFaults: this.faults,
    });
  }

  notifies(): NotifyRecord[] {
    return structuredClone(this.notifyLog);
  }

  // ---- messages ----------------------------------------------------------------------------------------------

  /**
   * Archives one message: checks who talks to whom, builds WeCom's message JSON, stores its media, encrypts it
   * and gives it the next seq. With `input.notify` (the default) resolves once a msgaudit_notify covering it has
   * been sent. Throws EmulatorInputError for a chat WeCom would not archive.
   */
  async chat(input: ChatInput): Promise<ChatResult> {
    const s = await this.state();
    const { tolist, roomid, external, consentPair } = this.participants(input);
    if (input.msgtype === 'revoke' && !s.chatdata.some((m) => m.msgid === input.preMsgid))
      throw new EmulatorInputError(`preMsgid ${input.preMsgid} is not an archived message`);
    const key = s.keys.find((k) => k.publickey_ver === (input.publickeyVer ?? s.current_ver));
    if (!key) throw new EmulatorInputError(`publickeyVer ${input.publickeyVer} is not a registered key version`);

    const msgtime = input.msgtime ?? this.core.clock.nowMs();
    const msgid = newArchiveMsgId(external);
    const message: Json =
      input.msgtype === 'switch'
        ? { msgid, action: 'switch', time: msgtime, user: input.from }
        : {
            msgid,
            action: input.msgtype === 'revoke' ? 'recall' : 'send',
            from: input.from,
            tolist,
            roomid,
            msgtime,
            msgtype: input.msgtype,
            [input.msgtype]: buildTypeObject(input, msgtime, (bytes) => this.storeMedia(s, bytes)),
          };
    if (consentPair && (input.msgtype === 'agree' || input.msgtype === 'disagree'))
      this.recordConsent(s, consentPair, input.msgtype === 'agree' ? 'Agree' : 'Disagree');

    const randomKey = newRandomKey();
    const encrypted = encryptChatMessage(randomKey, JSON.stringify(message));
    const item: ArchiveChatData = {
      seq: s.next_seq,
      msgid,
      publickey_ver: key.publickey_ver,
      encrypt_random_key: encryptRandomKey(key.public_key, randomKey),
      encrypt_chat_msg: input.corrupt ? corruptCiphertext(encrypted) : encrypted,
    };
    s.next_seq += 1;
    s.chatdata.push(item);
    if (s.chatdata.length > this.options.maxMessages)
      s.chatdata.splice(0, s.chatdata.length - this.options.maxMessages);
    this.core.changed();
    if (input.notify) await this.notify();
    return { msgid, seq: item.seq, message };
  }

  /** Who receives the message, and whether WeCom would archive it at all. */
  private participants(input: ChatInput): {
    tolist: string[];
    roomid: string;
    external: boolean;
    consentPair: { userid: string; external_userid: string } | null;
  } {
    const core = this.core;
    const fromRep = core.findRep(input.from);
    const fromCustomer = fromRep ? undefined : core.findCustomer(input.from);
    if (!fromRep && !fromCustomer) throw new EmulatorInputError(`unknown sender "${input.from}"`);
    if (input.msgtype === 'switch') {
      if (!fromRep) throw new EmulatorInputError('a switch record is made by a rep');
      return { tolist: [], roomid: '', external: false, consentPair: null };
    }

    if (input.roomId) {
      const room = core.data.groupChats.find((g) => g.chat_id === input.roomId);
      if (!room) throw new EmulatorInputError(`unknown roomId "${input.roomId}"`);
      if (!room.member_list.some((m) => m.userid === input.from))
        throw new EmulatorInputError(`${input.from} is not a member of ${input.roomId}`);
      if (input.msgtype === 'agree' || input.msgtype === 'disagree')
        throw new EmulatorInputError(`${input.msgtype} records belong to a 1:1 chat`);
      return {
        tolist: room.member_list.filter((m) => m.userid !== input.from).map((m) => m.userid),
        roomid: room.chat_id,
        external: room.member_list.some((m) => m.type === 2),
        consentPair: null,
      };
    }

    const to = input.to as string;
    const toRep = core.findRep(to);
    const toCustomer = toRep ? undefined : core.findCustomer(to);
    if (!toRep && !toCustomer) throw new EmulatorInputError(`unknown recipient "${to}"`);
    const rep = fromRep ?? toRep;
    const customer = fromCustomer ?? toCustomer;
    if (!rep) throw new EmulatorInputError('WeCom archives chats of the corp’s members: one side must be a rep');
    if (to === input.from) throw new EmulatorInputError('from and to must differ');
    if ((input.msgtype === 'agree' || input.msgtype === 'disagree') && !fromCustomer)
      throw new EmulatorInputError(`${input.msgtype} records are made by the external contact (from)`);
    let consentPair: { userid: string; external_userid: string } | null = null;
    if (customer) {
      if (!core.findFollow(customer, rep.userid))
        throw new EmulatorInputError(`${customer.external_userid} is not a customer of ${rep.userid}`);
      consentPair = { userid: rep.userid, external_userid: customer.external_userid };
      const consent = this.consentOf(consentPair.userid, consentPair.external_userid);
      if (consent?.status === 'Disagree' && input.msgtype !== 'agree' && input.msgtype !== 'disagree')
        throw new EmulatorInputError(
          `${customer.external_userid} disagreed to archiving chats with ${rep.userid}: WeCom archives none of them`,
        );
    }
    return { tolist: [to], roomid: '', external: !!customer, consentPair };
  }

  /** Sends msgaudit_notify now, or at the end of the current 15 s window; concurrent callers share one. */
  notify(): Promise<NotifyRecord> {
    if (this.pendingNotify) return this.pendingNotify;
    const pending = this.sendNotifyWhenDue();
    this.pendingNotify = pending;
    return pending;
  }

  private async sendNotifyWhenDue(): Promise<NotifyRecord> {
    const wait = this.lastNotifyAt + this.options.notifyWindowMs - performance.now();
    await sleepUnlessAborted(wait, this.core.shutdown.signal);
    // Messages archived from here on wait for the next notify: this one may reach the server before them.
    this.pendingNotify = null;
    this.lastNotifyAt = performance.now();
    const s = await this.state();
    const core = this.core;
    const eventXml = buildXml({
      ToUserName: core.corp.corpId,
      FromUserName: 'sys',
      CreateTime: core.clock.nowSeconds(),
      MsgType: 'event',
      AgentID: core.corp.agentId,
      Event: 'msgaudit_notify',
    });
    const lastSeq = s.next_seq - 1;
    const attempts = await sendEncryptedCallback(core, eventXml, 1);
    const record: NotifyRecord = { at: core.clock.nowMs(), lastSeq, attempts };
    this.notifyLog.push(record);
    if (this.notifyLog.length > MAX_NOTIFY_RECORDS)
      this.notifyLog.splice(0, this.notifyLog.length - MAX_NOTIFY_RECORDS);
    return record;
  }

  // ---- media -------------------------------------------------------------------------------------------------

  private storeMedia(s: ArchiveData, bytes: Buffer): MediaRef {
    const record: ArchiveMediaRecord = {
      sdkfileid: randomBytes(96).toString('base64'),
      data: bytes.toString('base64'),
      md5sum: createHash('md5').update(bytes).digest('hex'),
      size: bytes.length,
      created_at: this.core.clock.nowSeconds(),
    };
    s.media.push(record);
    let total = s.media.reduce((sum, m) => sum + m.size, 0);
    while (total > this.options.maxMediaBytes && s.media.length > 1) {
      total -= s.media[0]?.size ?? 0;
      s.media.shift();
    }
    return { sdkfileid: record.sdkfileid, md5sum: record.md5sum, filesize: record.size };
  }

  // ---- consent -----------------------------------------------------------------------------------------------

  private consentOf(userid: string, externalUserId: string): ArchiveConsentRecord | undefined {
    const s = this.core.data.archive;
    return s?.consent.find((c) => c.userid === userid && c.external_userid === externalUserId);
  }

  private recordConsent(
    s: ArchiveData,
    pair: { userid: string; external_userid: string },
    status: ConsentStatus,
  ): void {
    const found = this.consentOf(pair.userid, pair.external_userid);
    const now = this.core.clock.nowSeconds();
    if (found) {
      found.status = status;
      found.status_change_time = now;
    } else {
      s.consent.push({ ...pair, status, status_change_time: now });
    }
  }

  /**
   * A pair's consent as check_single_agree reports it: Agree / Disagree once the customer chose, else
   * Default_Agree (the emulator's corp archives chats with customers who have not chosen).
   */
  agreeStatus(userid: string, externalUserId: string): { status: string; changedAt: number } {
    const found = this.consentOf(userid, externalUserId);
    if (found) return { status: found.status, changedAt: found.status_change_time };
    const follow = this.core.findCustomer(externalUserId)?.follows.find((f) => f.userid === userid);
    return { status: 'Default_Agree', changedAt: follow?.createtime ?? 0 };
  }

  // ---- the stand-in SDK's calls ------------------------------------------------------------------------------

  addSdkFault(input: SdkFaultInput): void {
    const f = parseSdkFault(input);
    this.faults.push({
      op: f.op,
      remaining: f.count,
      ret: f.ret ?? null,
      errcode: f.errcode ?? null,
      delayMs: f.delayMs ?? 0,
      abort: f.abort === true,
      drop: f.drop === true,
    });
  }

  sdkFaults(): SdkFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clearSdkFaults(): void {
    this.faults = [];
  }

  private takeFault(op: SdkOp): SdkFault | undefined {
    const fault = this.faults.find((f) => f.op === op && f.remaining > 0);
    if (!fault) return undefined;
    fault.remaining -= 1;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return { ...fault };
  }

  /** Answers one call of the stand-in SDK (`form`: its urlencoded fields). */
  async answerSdk(op: SdkOp, form: Record<string, string>): Promise<SdkAnswer> {
    const fault = this.takeFault(op);
    const delayMs = fault?.delayMs ?? 0;
    if (fault?.abort || fault?.drop)
      return { ...sdkAnswer(SDK_RET.system), delayMs, abort: fault.abort, drop: fault.drop };
    if (fault?.ret != null) return { ...sdkAnswer(fault.ret), delayMs };
    if (fault?.errcode != null) {
      const body = JSON.stringify({ errcode: fault.errcode, errmsg: 'fault injected by the emulator', chatdata: [] });
      return { ...sdkAnswer(SDK_RET.ok, body), delayMs };
    }
    const result = await this.answerSdkCall(op, form);
    return { ...result, delayMs };
  }

  private async answerSdkCall(op: SdkOp, form: Record<string, string>): Promise<SdkAnswer> {
    const s = await this.state();
    // The corpid and Secret are checked on every call (the stand-in has no session): a wrong pair is 10000.
    if (form.corpid !== this.core.corp.corpId || form.secret !== s.secret) return sdkAnswer(SDK_RET.badParam);
    switch (op) {
      case 'init':
        return sdkAnswer(SDK_RET.ok);
      case 'chatdata': {
        const seq = /^\d{1,16}$/.test(form.seq ?? '') ? Number(form.seq) : NaN;
        const limit = /^\d{1,4}$/.test(form.limit ?? '') ? Number(form.limit) : NaN;
        if (!Number.isSafeInteger(seq) || !(limit >= 1 && limit <= 1000)) return sdkAnswer(SDK_RET.badParam);
        const chatdata = this.itemsAfter(s, seq, limit);
        return sdkAnswer(SDK_RET.ok, JSON.stringify({ errcode: 0, errmsg: 'ok', chatdata }), {
          'content-type': 'application/json; charset=utf-8',
        });
      }
      case 'media': {
        const media = s.media.find((m) => m.sdkfileid === form.sdkfileid);
        if (!media) return sdkAnswer(SDK_RET.fileId);
        const index = form.indexbuf ?? '';
        const match = index === '' ? ['', '0'] : MEDIA_INDEX.exec(index);
        const offset = match ? Number(match[1]) : NaN;
        if (!Number.isSafeInteger(offset) || offset > media.size) return sdkAnswer(SDK_RET.badParam);
        // Decoding only the piece's base64 range keeps a large file from being decoded on every call.
        const chunk = this.options.mediaChunkBytes;
        const start = offset - (offset % 3);
        const end = Math.min(media.size, offset + chunk);
        const b64From = (start / 3) * 4;
        const b64To = Math.min(media.data.length, Math.ceil(end / 3) * 4);
        const decoded = Buffer.from(media.data.slice(b64From, b64To), 'base64');
        const piece = decoded.subarray(offset - start, end - start);
        return sdkAnswer(SDK_RET.ok, piece, {
          'content-type': 'application/octet-stream',
          'x-finance-outindexbuf': `offset:${end}`,
          'x-finance-is-finish': end >= media.size ? '1' : '0',
        });
      }
    }
  }

  /** Messages with seq > `seq`, at most `limit`, in seq order. */
  private itemsAfter(s: ArchiveData, seq: number, limit: number): ArchiveChatData[] {
    const list = s.chatdata;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((list[mid]?.seq ?? 0) <= seq) lo = mid + 1;
      else hi = mid;
    }
    return list.slice(lo, lo + limit);
  }
}
