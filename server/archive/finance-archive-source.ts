import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { ArchiveError, ArchiveMediaError } from './errors.js';
import type { DecryptTimings } from './ipc.js';
import { SdkSupervisor, type SupervisorEvent } from './sdk-supervisor.js';
import {
  isChatDataItem,
  type ArchiveSource,
  type ChatDataItem,
  type DecryptResult,
  type FetchMediaOptions,
  type FetchMediaResult,
  type MediaChunk,
} from './types.js';

/**
 * The production ArchiveSource: WeCom's Finance SDK (or the stand-in) through koffi, in a supervised child
 * process (sdk-supervisor.ts). The RSA step and DecryptData run in that process too, so the server's event loop
 * only sees JSON.
 */

export interface FinanceArchiveSourceOptions {
  /** libWeWorkFinanceSdk_C.so (WECOM_FINANCE_SDK_PATH). */
  sdkPath: string;
  corpId: string;
  /** The 聊天内容存档 Secret (WECOM_ARCHIVE_SECRET). */
  secret: string;
  /** publickey_ver → PEM, every version ever registered (WECOM_ARCHIVE_PRIVATE_KEYS). */
  privateKeys: ReadonlyMap<number, string> | Readonly<Record<number, string>>;
  /** e.g. http://10.0.0.1:8081 (the stand-in supports http:// proxies). */
  proxy?: string;
  /** user:password for the proxy. */
  proxyPassword?: string;
  /** The SDK's own timeout per call, seconds (default 30). */
  timeoutSeconds?: number;
  /**
   * How long a call may run past the SDK's own timeout (decrypt batches: in all) before the SDK process is taken
   * for hung, killed and restarted (default 10 s).
   */
  hangGraceMs?: number;
  /** Environment of the SDK process (default: the server's). */
  env?: NodeJS.ProcessEnv;
  restartDelayMs?: { initial: number; max: number };
  /** A media piece that fails retryably is asked again this many times before fetchMedia fails (default 2). */
  mediaRetries?: number;
  onEvent?: (event: SupervisorEvent) => void;
}

/** Cumulative figures since the source was created. */
export interface ArchiveSourceStats extends DecryptTimings {
  pulls: number;
  pulledItems: number;
  decrypted: number;
  mediaPieces: number;
}

const MAX_LIMIT = 1000;
const DECRYPT_BATCH = 1000;
/** A file larger than this many pieces (512 KB each: 50 GB) is not a WeCom media file. */
const MAX_MEDIA_PIECES = 100_000;

interface PendingDecrypt {
  item: ChatDataItem;
  resolve: (result: DecryptResult) => void;
  reject: (err: Error) => void;
}

export class FinanceArchiveSource implements ArchiveSource {
  private readonly supervisor: SdkSupervisor;
  private readonly timeoutSeconds: number;
  private readonly mediaRetries: number;
  private readonly hangGraceMs: number;
  private pendingDecrypts: PendingDecrypt[] = [];
  private readonly counters: ArchiveSourceStats = {
    pulls: 0,
    pulledItems: 0,
    decrypted: 0,
    mediaPieces: 0,
    rsaMs: 0,
    sdkMs: 0,
    parseMs: 0,
  };

  constructor(options: FinanceArchiveSourceOptions) {
    const keys =
      options.privateKeys instanceof Map
        ? [...options.privateKeys]
        : Object.entries(options.privateKeys as Record<number, string>);
    this.timeoutSeconds = options.timeoutSeconds ?? 30;
    if (!Number.isInteger(this.timeoutSeconds) || this.timeoutSeconds < 1)
      throw new RangeError('timeoutSeconds must be a positive integer');
    this.mediaRetries = options.mediaRetries ?? 2;
    this.hangGraceMs = options.hangGraceMs ?? 10_000;
    this.supervisor = new SdkSupervisor({
      start: {
        sdkPath: options.sdkPath,
        corpId: options.corpId,
        secret: options.secret,
        privateKeys: Object.fromEntries(keys.map(([version, pem]) => [String(version), pem])),
        proxy: options.proxy ?? '',
        proxyPassword: options.proxyPassword ?? '',
        timeoutSeconds: this.timeoutSeconds,
      },
      env: options.env,
      restartDelayMs: options.restartDelayMs,
      onEvent: options.onEvent,
    });
  }

  /** The SDK's deadline plus room for the process itself; past it the process is killed and restarted. */
  private networkDeadlineMs(): number {
    return this.timeoutSeconds * 1000 + this.hangGraceMs;
  }

  async pull(afterSeq: number, limit: number): Promise<ChatDataItem[]> {
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new RangeError('afterSeq must be an integer ≥ 0');
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      throw new RangeError(`limit must be an integer from 1 to ${MAX_LIMIT}`);
    const items = await this.supervisor.call({ op: 'pull', seq: afterSeq, limit }, this.networkDeadlineMs());
    this.counters.pulls += 1;
    this.counters.pulledItems += items.length;
    return items;
  }

  /**
   * Decrypts one item. Calls made together (e.g. `Promise.all(items.map(decrypt))`) travel to the SDK process
   * as one batch.
   */
  decrypt(item: ChatDataItem): Promise<DecryptResult> {
    if (!isChatDataItem(item)) return Promise.reject(new TypeError('decrypt takes an item returned by pull'));
    return new Promise<DecryptResult>((resolve, reject) => {
      if (this.pendingDecrypts.length === 0) queueMicrotask(() => this.flushDecrypts());
      this.pendingDecrypts.push({ item, resolve, reject });
    });
  }

  private flushDecrypts(): void {
    const pending = this.pendingDecrypts;
    this.pendingDecrypts = [];
    for (let i = 0; i < pending.length; i += DECRYPT_BATCH) {
      const batch = pending.slice(i, i + DECRYPT_BATCH);
      const items = batch.map((p) => p.item);
      this.supervisor.call({ op: 'decrypt', items }, this.hangGraceMs + items.length * 5).then(
        ({ results, timings }) => {
          this.counters.decrypted += results.length;
          this.counters.rsaMs += timings.rsaMs;
          this.counters.sdkMs += timings.sdkMs;
          this.counters.parseMs += timings.parseMs;
          batch.forEach((p, n) => p.resolve(results[n] as DecryptResult));
        },
        (err: Error) => batch.forEach((p) => p.reject(err)),
      );
    }
  }

  async fetchMedia(
    sdkFileId: string,
    onChunk: (chunk: MediaChunk) => void | Promise<void>,
    options: FetchMediaOptions = {},
  ): Promise<FetchMediaResult> {
    if (typeof sdkFileId !== 'string' || sdkFileId === '') throw new TypeError('sdkFileId is required');
    const md5 = createHash('md5');
    let index = '';
    let offset = 0;
    for (let pieces = 1; ; pieces++) {
      if (pieces > MAX_MEDIA_PIECES)
        throw new ArchiveMediaError(`${sdkFileId} did not finish in ${MAX_MEDIA_PIECES} pieces`);
      const piece = await this.mediaPiece(sdkFileId, index);
      // An index that does not move would return the same piece forever.
      if (!piece.finished && (piece.outIndexBuf === '' || piece.outIndexBuf === index))
        throw new ArchiveMediaError(`the media index did not advance after ${offset} bytes of ${sdkFileId}`);
      const data = Buffer.from(piece.data.buffer, piece.data.byteOffset, piece.data.byteLength);
      md5.update(data);
      await onChunk({ data, offset, finished: piece.finished });
      offset += data.length;
      if (piece.finished) {
        const digest = md5.digest('hex');
        const expected = options.md5sum?.trim().toLowerCase();
        if (expected && digest !== expected)
          throw new ArchiveMediaError(`${sdkFileId}: md5 ${digest} of ${offset} bytes, the message says ${expected}`);
        return { bytes: offset, chunks: pieces, md5: digest };
      }
      index = piece.outIndexBuf;
    }
  }

  private async mediaPiece(sdkFileId: string, indexBuf: string) {
    for (let attempt = 0; ; attempt++) {
      try {
        const piece = await this.supervisor.call({ op: 'media', sdkFileId, indexBuf }, this.networkDeadlineMs());
        this.counters.mediaPieces += 1;
        return piece;
      } catch (err) {
        if (!(err instanceof ArchiveError) || !err.retryable || attempt >= this.mediaRetries) throw err;
        await delay(200 * (attempt + 1));
      }
    }
  }

  stats(): ArchiveSourceStats {
    return { ...this.counters };
  }

  /** The SDK process's pid (null when none runs): for operations and tests. */
  workerPid(): number | null {
    return this.supervisor.pid();
  }

  /** How many times the SDK process stopped unexpectedly. */
  workerCrashes(): number {
    return this.supervisor.crashes();
  }

  close(): Promise<void> {
    return this.supervisor.close();
  }
}

export function createFinanceArchiveSource(options: FinanceArchiveSourceOptions): FinanceArchiveSource {
  return new FinanceArchiveSource(options);
}
