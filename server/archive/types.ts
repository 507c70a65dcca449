/**
 * The chat archive (会话内容存档) as the product sees it: raw items pulled in seq order, decrypted one by one, media
 * fetched piece by piece. Storage plugs in on top (it keeps the highest seq it stored, and the raw item of any
 * message it could not decrypt yet).
 */

/** One item of GetChatData's `chatdata` (wecom-protocol.md §6.2), as WeCom sends it. */
export interface ChatDataItem {
  seq: number;
  /** Unique; the dedupe key. Ends with `_external` for a chat with an external contact. */
  msgid: string;
  /** Version of the corp's RSA key the random key is encrypted for. */
  publickey_ver: number;
  /** base64 of the per-message key, RSA PKCS#1 v1.5 encrypted with the public key of `publickey_ver`. */
  encrypt_random_key: string;
  encrypt_chat_msg: string;
}

/** Whether a value has the shape of a ChatDataItem (what GetChatData returns and decrypt accepts). */
export function isChatDataItem(value: unknown): value is ChatDataItem {
  const o = value as Partial<ChatDataItem> | null;
  return (
    !!o &&
    typeof o === 'object' &&
    Number.isSafeInteger(o.seq) &&
    (o.seq as number) >= 0 &&
    typeof o.msgid === 'string' &&
    o.msgid !== '' &&
    Number.isSafeInteger(o.publickey_ver) &&
    typeof o.encrypt_random_key === 'string' &&
    typeof o.encrypt_chat_msg === 'string'
  );
}

/** A decrypted message (§6.3): the common fields, then the object named by `msgtype` (or `switch` fields). */
export interface ArchivedMessage {
  msgid: string;
  /** `send` | `recall` | `switch`. */
  action: string;
  from?: string;
  tolist?: string[];
  roomid?: string;
  /** UTC milliseconds. */
  msgtime?: number;
  msgtype?: string;
  [field: string]: unknown;
}

export type DecryptResult =
  | { status: 'ok'; message: ArchivedMessage }
  /**
   * Decryptable later, once the right private key is configured: keep the raw item.
   * `no_key`: no private key for this version; `key_rejected`: the configured key does not open the random key
   * (a wrong key for the version, or a damaged random key).
   */
  | { status: 'undecryptable'; reason: 'no_key' | 'key_rejected'; publickeyVer: number; detail: string }
  /** The random key opened but the message did not decrypt to a message JSON: it will never decrypt. */
  | { status: 'corrupted'; detail: string; sdkCode?: number };

export interface MediaChunk {
  data: Buffer;
  /** Byte offset of this piece in the file. */
  offset: number;
  /** True for the last piece. */
  finished: boolean;
}

export interface FetchMediaOptions {
  /** The message's md5sum: the whole file is checked against it (skipped when empty, which WeCom allows). */
  md5sum?: string;
}

export interface FetchMediaResult {
  bytes: number;
  chunks: number;
  md5: string;
}

export interface ArchiveSource {
  /** Items with seq > afterSeq, at most `limit` (1..1000), in seq order. */
  pull(afterSeq: number, limit: number): Promise<ChatDataItem[]>;
  /** Decrypts one item. Throws only for a retryable failure of the SDK process (the item is fine). */
  decrypt(item: ChatDataItem): Promise<DecryptResult>;
  /**
   * Fetches a media file piece after piece until WeCom says it is finished, calling `onChunk` in order (awaited
   * before the next piece is requested). Never returns a truncated file: it throws instead.
   */
  fetchMedia(
    sdkFileId: string,
    onChunk: (chunk: MediaChunk) => void | Promise<void>,
    options?: FetchMediaOptions,
  ): Promise<FetchMediaResult>;
  /** Waits for the call in flight, then releases the SDK. Later calls fail. */
  close(): Promise<void>;
}
