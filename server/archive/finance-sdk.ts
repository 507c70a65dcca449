import koffi from 'koffi';

/**
 * The Finance SDK's C ABI (official header WeWorkFinanceSdk_C.h, wecom-protocol.md §6.2) through koffi. Loaded
 * only inside the SDK process (sdk-worker.ts): a crash in the native library ends that process, never the server.
 *
 * Outputs are read through the SDK's own accessors (GetContentFromSlice/GetSliceLen, GetData/GetDataLen…) with
 * their lengths, and copied before the slice is freed: content is binary for media, and may hold NUL bytes.
 */

export interface PulledChatData {
  code: number;
  /** GetChatData's JSON (UTF-8 bytes), when code is 0. */
  json: Buffer | null;
}

export interface MediaPiece {
  code: number;
  data: Buffer;
  outIndexBuf: string;
  finished: boolean;
}

export interface DecryptedData {
  code: number;
  plaintext: Buffer | null;
}

// Opaque handles, as the header declares them (declared once per process: koffi types are process-wide).
const sdkPtr = koffi.pointer(koffi.opaque());
const slicePtr = koffi.pointer(koffi.opaque());
const mediaPtr = koffi.pointer(koffi.opaque());

function copyOut(pointer: unknown, length: number): Buffer {
  if (length <= 0 || pointer === null) return Buffer.alloc(0);
  return Buffer.from(new Uint8Array(koffi.view(pointer, length)));
}

export class FinanceSdkLibrary {
  private readonly fn;
  private sdk: unknown = null;

  /** Loads the library; throws when the file is missing or does not export the SDK's functions. */
  constructor(path: string) {
    const lib = koffi.load(path);
    this.fn = {
      NewSdk: lib.func('NewSdk', sdkPtr, []),
      Init: lib.func('Init', 'int', [sdkPtr, 'const char *', 'const char *']),
      GetChatData: lib.func('GetChatData', 'int', [
        sdkPtr,
        'unsigned long long',
        'unsigned int',
        'const char *',
        'const char *',
        'int',
        slicePtr,
      ]),
      DecryptData: lib.func('DecryptData', 'int', ['const char *', 'const char *', slicePtr]),
      GetMediaData: lib.func('GetMediaData', 'int', [
        sdkPtr,
        'const char *',
        'const char *',
        'const char *',
        'const char *',
        'int',
        mediaPtr,
      ]),
      DestroySdk: lib.func('DestroySdk', 'void', [sdkPtr]),
      NewSlice: lib.func('NewSlice', slicePtr, []),
      FreeSlice: lib.func('FreeSlice', 'void', [slicePtr]),
      GetContentFromSlice: lib.func('GetContentFromSlice', 'void *', [slicePtr]),
      GetSliceLen: lib.func('GetSliceLen', 'int', [slicePtr]),
      NewMediaData: lib.func('NewMediaData', mediaPtr, []),
      FreeMediaData: lib.func('FreeMediaData', 'void', [mediaPtr]),
      GetOutIndexBuf: lib.func('GetOutIndexBuf', 'void *', [mediaPtr]),
      GetData: lib.func('GetData', 'void *', [mediaPtr]),
      GetIndexLen: lib.func('GetIndexLen', 'int', [mediaPtr]),
      GetDataLen: lib.func('GetDataLen', 'int', [mediaPtr]),
      IsMediaDataFinish: lib.func('IsMediaDataFinish', 'int', [mediaPtr]),
    };
  }

  /** NewSdk + Init; returns Init's code (0 on success). */
  init(corpId: string, secret: string): number {
    if (this.sdk === null) this.sdk = this.fn.NewSdk();
    return this.fn.Init(this.sdk, corpId, secret) as number;
  }

  getChatData(seq: number, limit: number, proxy: string, passwd: string, timeoutSeconds: number): PulledChatData {
    const slice = this.fn.NewSlice();
    try {
      const code = this.fn.GetChatData(this.sdk, BigInt(seq), limit, proxy, passwd, timeoutSeconds, slice) as number;
      if (code !== 0) return { code, json: null };
      return { code, json: copyOut(this.fn.GetContentFromSlice(slice), this.fn.GetSliceLen(slice) as number) };
    } finally {
      this.fn.FreeSlice(slice);
    }
  }

  decryptData(encryptKey: string, encryptMsg: string): DecryptedData {
    const slice = this.fn.NewSlice();
    try {
      const code = this.fn.DecryptData(encryptKey, encryptMsg, slice) as number;
      if (code !== 0) return { code, plaintext: null };
      return { code, plaintext: copyOut(this.fn.GetContentFromSlice(slice), this.fn.GetSliceLen(slice) as number) };
    } finally {
      this.fn.FreeSlice(slice);
    }
  }

  getMediaData(indexBuf: string, sdkFileId: string, proxy: string, passwd: string, timeoutSeconds: number): MediaPiece {
    const media = this.fn.NewMediaData();
    try {
      const code = this.fn.GetMediaData(this.sdk, indexBuf, sdkFileId, proxy, passwd, timeoutSeconds, media) as number;
      if (code !== 0) return { code, data: Buffer.alloc(0), outIndexBuf: '', finished: false };
      return {
        code,
        data: copyOut(this.fn.GetData(media), this.fn.GetDataLen(media) as number),
        outIndexBuf: copyOut(this.fn.GetOutIndexBuf(media), this.fn.GetIndexLen(media) as number).toString('utf8'),
        finished: (this.fn.IsMediaDataFinish(media) as number) === 1,
      };
    } finally {
      this.fn.FreeMediaData(media);
    }
  }

  /** DestroySdk; the library stays loaded (never unloaded while the process lives). */
  destroy(): void {
    if (this.sdk !== null) this.fn.DestroySdk(this.sdk);
    this.sdk = null;
  }
}
