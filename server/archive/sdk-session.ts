import type { KeyObject } from 'node:crypto';
import { FinanceSdkLibrary } from './finance-sdk.js';
import type { DecryptTimings, SerializedError, WorkerResults, WorkerStart } from './ipc.js';
import { rsaDecryptPkcs1v15 } from './pkcs1.js';
import { parseArchivePrivateKey } from './private-keys.js';
import { isChatDataItem, type ArchivedMessage, type ChatDataItem, type DecryptResult } from './types.js';

/**
 * What the SDK process does with the library: Init, pull, decrypt (RSA for the random key, then DecryptData),
 * media pieces. Runs inside the SDK process only; failures are returned as SerializedError for the parent.
 */

/** A failure to report to the parent as is. */
export class SessionError extends Error {
  constructor(readonly error: SerializedError) {
    super(JSON.stringify(error));
    this.name = 'SessionError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** CPU time of this process (ms): wall time would count the waits of a loaded machine as work. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
/** The random key is a C string for DecryptData: printable ASCII only. */
const PRINTABLE_KEY = /^[\x21-\x7e]+$/;
const SDK_BAD_KEY = 10008;

export class ArchiveSdkSession {
  private readonly library: FinanceSdkLibrary;
  private readonly keys = new Map<number, KeyObject>();

  private constructor(
    private readonly start: WorkerStart,
    library: FinanceSdkLibrary,
  ) {
    this.library = library;
  }

  /** Loads the library, checks the keys and calls Init. Throws SessionError. */
  static open(start: WorkerStart): ArchiveSdkSession {
    const keys = new Map<number, KeyObject>();
    for (const [version, pem] of Object.entries(start.privateKeys)) {
      const key = parseArchivePrivateKey(pem);
      if (typeof key === 'string')
        throw new SessionError({ kind: 'config', message: `archive private key version ${version} ${key}` });
      keys.set(Number(version), key);
    }
    let library: FinanceSdkLibrary;
    try {
      library = new FinanceSdkLibrary(start.sdkPath);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new SessionError({ kind: 'config', message: `cannot load the Finance SDK ${start.sdkPath}: ${reason}` });
    }
    const code = library.init(start.corpId, start.secret);
    if (code !== 0) {
      library.destroy();
      throw new SessionError({ kind: 'sdk', code, operation: 'init' });
    }
    const session = new ArchiveSdkSession(start, library);
    for (const [version, key] of keys) session.keys.set(version, key);
    return session;
  }

  pull(seq: number, limit: number): WorkerResults['pull'] {
    const { start } = this;
    const res = this.library.getChatData(seq, limit, start.proxy, start.proxyPassword, start.timeoutSeconds);
    if (res.code !== 0 || !res.json) throw new SessionError({ kind: 'sdk', code: res.code, operation: 'pull' });
    let parsed: unknown;
    try {
      parsed = JSON.parse(utf8.decode(res.json));
    } catch {
      throw new SessionError({ kind: 'sdk', code: 10002, operation: 'pull', detail: 'the chat data is not JSON' });
    }
    const body = parsed as { errcode?: unknown; errmsg?: unknown; chatdata?: unknown };
    if (typeof body?.errcode === 'number' && body.errcode !== 0)
      throw new SessionError({ kind: 'api', errcode: body.errcode, errmsg: String(body.errmsg ?? '') });
    if (!Array.isArray(body?.chatdata) || !body.chatdata.every(isChatDataItem))
      throw new SessionError({ kind: 'sdk', code: 10002, operation: 'pull', detail: 'unexpected chat data shape' });
    return body.chatdata.map((i: ChatDataItem) => ({
      seq: i.seq,
      msgid: i.msgid,
      publickey_ver: i.publickey_ver,
      encrypt_random_key: i.encrypt_random_key,
      encrypt_chat_msg: i.encrypt_chat_msg,
    }));
  }

  decrypt(items: ChatDataItem[]): WorkerResults['decrypt'] {
    const timings: DecryptTimings = { rsaMs: 0, sdkMs: 0, parseMs: 0 };
    return { results: items.map((item) => this.decryptOne(item, timings)), timings };
  }

  private decryptOne(item: ChatDataItem, timings: DecryptTimings): DecryptResult {
    const version = item.publickey_ver;
    const key = this.keys.get(version);
    if (!key)
      return {
        status: 'undecryptable',
        reason: 'no_key',
        publickeyVer: version,
        detail: `no private key for publickey_ver ${version}`,
      };
    const rejected = (detail: string): DecryptResult => ({
      status: 'undecryptable',
      reason: 'key_rejected',
      publickeyVer: version,
      detail,
    });

    let t = cpuMs();
    const randomKey = rsaDecryptPkcs1v15(key, Buffer.from(item.encrypt_random_key, 'base64'));
    timings.rsaMs += cpuMs() - t;
    if (!randomKey) return rejected(`the private key of publickey_ver ${version} does not decrypt the random key`);
    const keyText = randomKey.toString('latin1');
    if (!PRINTABLE_KEY.test(keyText)) return rejected('the decrypted random key is not a key string');

    t = cpuMs();
    const out = this.library.decryptData(keyText, item.encrypt_chat_msg);
    timings.sdkMs += cpuMs() - t;
    if (out.code === SDK_BAD_KEY) return rejected('DecryptData rejected the random key (10008)');
    if (out.code !== 0 || !out.plaintext)
      return { status: 'corrupted', detail: `DecryptData failed with ${out.code}`, sdkCode: out.code };

    t = cpuMs();
    try {
      const message = JSON.parse(utf8.decode(out.plaintext)) as ArchivedMessage;
      if (!message || typeof message !== 'object' || Array.isArray(message))
        return { status: 'corrupted', detail: 'the decrypted message is not a JSON object' };
      if (message.msgid !== item.msgid)
        return { status: 'corrupted', detail: `the decrypted message is ${String(message.msgid)}, not ${item.msgid}` };
      return { status: 'ok', message };
    } catch {
      return { status: 'corrupted', detail: 'the decrypted message is not UTF-8 JSON' };
    } finally {
      timings.parseMs += cpuMs() - t;
    }
  }

  media(sdkFileId: string, indexBuf: string): WorkerResults['media'] {
    const { start } = this;
    const piece = this.library.getMediaData(
      indexBuf,
      sdkFileId,
      start.proxy,
      start.proxyPassword,
      start.timeoutSeconds,
    );
    if (piece.code !== 0) throw new SessionError({ kind: 'sdk', code: piece.code, operation: 'media' });
    return { data: piece.data, outIndexBuf: piece.outIndexBuf, finished: piece.finished };
  }

  /** DestroySdk. Called only between calls (the process handles one message at a time). */
  close(): void {
    this.library.destroy();
  }
}
