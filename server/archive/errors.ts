/**
 * Typed failures of the archive source. `retryable` says whether the same call may succeed later unchanged
 * (network, a restarting SDK process); a final error needs a change first (configuration, credentials, data).
 */

/** Finance SDK return codes (official header comments, wecom-protocol.md §6.2). */
export const SDK_CODE_NAMES: Readonly<Record<number, string>> = {
  10000: 'bad parameter (参数错误)',
  10001: 'network error (网络错误)',
  10002: 'data parse failure (数据解析失败)',
  10003: 'system failure (系统失败)',
  10004: 'encryption failed: wrong key (密钥错误导致加密失败)',
  10005: 'bad fileid (fileid错误)',
  10006: 'decryption failed (解密失败)',
  10007: 'no private key for the message version (找不到消息加密版本的私钥)',
  10008: 'bad encrypt_key (解析encrypt_key出错)',
  10009: 'IP not allowed (ip非法)',
  10010: 'data expired (数据过期)',
  10011: 'certificate error (证书错误)',
};

/** 10001 network, 10002 parse, 10003 system: WeCom's transient failures, worth the same call again. */
export function isRetryableSdkCode(code: number): boolean {
  return code >= 10001 && code <= 10003;
}

export abstract class ArchiveError extends Error {
  abstract readonly retryable: boolean;
}

export type SdkOperation = 'init' | 'pull' | 'media' | 'decrypt';

/** A Finance SDK call returned a non-zero code. */
export class FinanceSdkError extends ArchiveError {
  readonly retryable: boolean;

  constructor(
    readonly code: number,
    readonly operation: SdkOperation,
    detail?: string,
  ) {
    super(
      `Finance SDK ${operation} failed with ${code} ${SDK_CODE_NAMES[code] ?? '(unknown code)'}${detail ? `: ${detail}` : ''}`,
    );
    this.name = 'FinanceSdkError';
    this.retryable = isRetryableSdkCode(code);
  }
}

/** GetChatData succeeded but WeCom's JSON carries a non-zero errcode. */
export class ArchiveApiError extends ArchiveError {
  readonly retryable: boolean;

  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeCom archive error ${errcode}: ${errmsg}`);
    this.name = 'ArchiveApiError';
    // -1 system busy and 45009 rate limit are WeCom's transient errcodes (wecom-protocol.md §4).
    this.retryable = errcode === -1 || errcode === 45009;
  }
}

/** The SDK process died (a crash in the native library, or killed) while the call was in flight. */
export class ArchiveWorkerCrashedError extends ArchiveError {
  readonly retryable = true;

  constructor(detail: string) {
    super(`the Finance SDK process stopped during the call (${detail}); it is restarted, retry the call`);
    this.name = 'ArchiveWorkerCrashedError';
  }
}

/** The call took longer than its deadline: the SDK process was killed and is restarted. */
export class ArchiveWorkerTimeoutError extends ArchiveError {
  readonly retryable = true;

  constructor(ms: number) {
    super(`the Finance SDK call did not answer within ${ms} ms; the SDK process is restarted, retry the call`);
    this.name = 'ArchiveWorkerTimeoutError';
  }
}

/** The SDK cannot be used as configured (library missing or not an SDK, malformed private key…). */
export class ArchiveConfigError extends ArchiveError {
  readonly retryable = false;

  constructor(message: string) {
    super(message);
    this.name = 'ArchiveConfigError';
  }
}

export class ArchiveSourceClosedError extends ArchiveError {
  readonly retryable = false;

  constructor() {
    super('the archive source is closed');
    this.name = 'ArchiveSourceClosedError';
  }
}

/** A media file could not be fetched whole: a checksum mismatch, or pieces that stop making progress. */
export class ArchiveMediaError extends ArchiveError {
  readonly retryable = false;

  constructor(message: string) {
    super(message);
    this.name = 'ArchiveMediaError';
  }
}
