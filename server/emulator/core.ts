import { setMaxListeners } from 'node:events';
import { CallLog } from './call-log.js';
import { EmulatorClock } from './clock.js';
import { Credentials } from './credentials.js';
import { FaultTable } from './faults.js';
import { StateFile } from './persistence.js';
import { buildEmptyData, buildSeedData } from './seed-data.js';
import type { CallbackRecord } from './simulate.js';
import type { ContactWay, CorpTag, Customer, EmulatorCorp, EmulatorData, Follow, Rep, TagGroup } from './types.js';

/** Temporary media (临时素材) are valid for 3 days. */
export const MEDIA_TTL_SECONDS = 3 * 86_400;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Caps on the message logs and the activity feed, so a long-running public demo stays small. */
const MAX_RECORDS = 1000;
const MAX_ACTIVITY = 20_000;

export interface CoreOptions {
  corp: EmulatorCorp;
  /** Our server's callback URL, absolute (e.g. http://127.0.0.1:3000/wecom/callback/ww…). */
  callbackUrl: () => string;
  /** Origin users reach the emulator at (QR codes, OAuth page, avatars), e.g. http://127.0.0.1:3000. */
  publicOrigin: () => string;
  /** Base clock in ms (default Date.now); advanceClock() adds to it. */
  now?: () => number;
  /** Seed the demo customers, tags and groups (default true). The directory (departments, reps) is always there. */
  seed?: boolean;
  /** JSON file to load at start and save (debounced, atomic) on every change. */
  statePath?: string;
  /** Abort a callback attempt after this long (default 5000 ms, as WeCom). */
  deliveryTimeoutMs?: number;
  /** Pause before retrying a failed callback attempt (default 200 ms). */
  retryDelayMs?: number;
}

/**
 * The emulator's state and services, shared by every route module. Route handlers read and mutate `data`
 * directly and call `changed()` afterwards so the state file is saved.
 */
export class EmulatorCore {
  readonly corp: Readonly<EmulatorCorp>;
  readonly clock: EmulatorClock;
  readonly credentials: Credentials;
  readonly callLog = new CallLog();
  readonly faults = new FaultTable();
  /** Callbacks sent by simulate() and QR scans (memory only). */
  readonly callbacks: CallbackRecord[] = [];
  readonly data: EmulatorData;
  readonly deliveryTimeoutMs: number;
  readonly retryDelayMs: number;
  /** Aborts in-flight callback deliveries on close(). */
  readonly shutdown = new AbortController();
  private readonly stateFile: StateFile | null;
  private requestSeq = 0;

  constructor(private readonly options: CoreOptions) {
    // Every delivery waiting to retry and every delayed answer listens to it: hundreds at once in a burst is normal.
    setMaxListeners(0, this.shutdown.signal);
    this.corp = Object.freeze({ ...options.corp });
    this.clock = new EmulatorClock(options.now);
    this.credentials = new Credentials(() => this.clock.nowMs());
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 5000;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.stateFile = options.statePath ? new StateFile(options.statePath, () => this.data) : null;
    const loaded = this.stateFile?.load(this.corp.corpId) ?? null;
    this.data =
      loaded ??
      (options.seed === false ? buildEmptyData(this.corp.corpId) : buildSeedData(this.corp.corpId, this.clock.nowMs()));
    if (!loaded) this.stateFile?.write();
  }

  callbackUrl(): string {
    return this.options.callbackUrl();
  }

  publicOrigin(): string {
    return this.options.publicOrigin().replace(/\/+$/, '');
  }

  /** Absolute URL of a page or asset the emulator serves (`/emulator` + path). */
  url(path: string): string {
    return `${this.publicOrigin()}/emulator${path}`;
  }

  avatarUrl(id: string): string {
    return this.url(`/avatar/${encodeURIComponent(id)}.svg`);
  }

  qrPageUrl(configId: string): string {
    return this.url(`/qr/${encodeURIComponent(configId)}`);
  }

  /** A sequence number for errmsg hints. */
  nextSeq(): number {
    this.requestSeq += 1;
    return this.requestSeq;
  }

  /** Records that `data` changed: logs are trimmed to their caps and the state file is saved (debounced). */
  changed(): void {
    const d = this.data;
    for (const list of [d.welcomeMessages, d.webhookMessages, d.appMessages, d.msgTemplates] as unknown[][]) {
      if (list.length > MAX_RECORDS) list.splice(0, list.length - MAX_RECORDS);
    }
    if (d.activity.length > MAX_ACTIVITY) d.activity.splice(0, d.activity.length - MAX_ACTIVITY);
    this.stateFile?.scheduleSave();
  }

  flush(): void {
    this.stateFile?.flush();
  }

  // ---- lookups ------------------------------------------------------------------------------------------------

  findRep(userid: string): Rep | undefined {
    return this.data.reps.find((r) => r.userid === userid);
  }

  findCustomer(externalUserId: string): Customer | undefined {
    return this.data.customers.find((c) => c.external_userid === externalUserId);
  }

  findFollow(customer: Customer, userid: string): Follow | undefined {
    return customer.follows.find((f) => f.userid === userid);
  }

  findTag(id: string): CorpTag | undefined {
    return this.data.tags.find((t) => t.id === id);
  }

  findTagGroup(groupId: string): TagGroup | undefined {
    return this.data.tagGroups.find((g) => g.group_id === groupId);
  }

  /** Temporary media live 3 days: an older media_id is as unknown as a wrong one. */
  isLiveMedia(mediaId: string): boolean {
    const now = this.clock.nowSeconds();
    return this.data.media.some((m) => m.media_id === mediaId && m.created_at + MEDIA_TTL_SECONDS > now);
  }

  /**
   * A live uploaded image's bytes, when the emulator kept them (images up to 1 MB). Only real PNG or JPEG data is
   * given out, typed from its signature, never from what the uploader claimed: the pages share the app's origin.
   */
  mediaImage(mediaId: string): { contentType: 'image/png' | 'image/jpeg'; data: Buffer } | null {
    if (!this.isLiveMedia(mediaId)) return null;
    const record = this.data.media.find((m) => m.media_id === mediaId);
    if (!record?.data || record.type !== 'image') return null;
    const data = Buffer.from(record.data, 'base64');
    if (data.subarray(0, 8).equals(PNG_SIGNATURE)) return { contentType: 'image/png', data };
    if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return { contentType: 'image/jpeg', data };
    return null;
  }

  findContactWay(configId: string): ContactWay | undefined {
    return this.data.contactWays.find((w) => w.config_id === configId);
  }

  /** A department and all its descendants. */
  departmentTree(rootId: number): number[] {
    const ids = [rootId];
    for (let i = 0; i < ids.length; i++) {
      for (const d of this.data.departments) if (d.parentid === ids[i]) ids.push(d.id);
    }
    return ids;
  }

  /** Display name for an avatar: a rep's or a customer's, or null when the id is unknown. */
  displayName(id: string): string | null {
    return this.findRep(id)?.name ?? this.findCustomer(id)?.name ?? null;
  }
}
