import type { ChatDataItem, DecryptResult } from './types.js';

/** Messages between the server and its Finance SDK process (sdk-supervisor.ts ⇄ sdk-worker.ts), over fork IPC. */

export interface WorkerStart {
  sdkPath: string;
  corpId: string;
  secret: string;
  /** publickey_ver → PEM. */
  privateKeys: Record<string, string>;
  proxy: string;
  proxyPassword: string;
  timeoutSeconds: number;
}

export type WorkerCall =
  | { op: 'pull'; seq: number; limit: number }
  | { op: 'decrypt'; items: ChatDataItem[] }
  | { op: 'media'; sdkFileId: string; indexBuf: string };

/** Where a decrypt batch spent the SDK process's CPU (ms), for the benchmark and monitoring. */
export interface DecryptTimings {
  rsaMs: number;
  sdkMs: number;
  parseMs: number;
}

export interface WorkerResults {
  pull: ChatDataItem[];
  decrypt: { results: DecryptResult[]; timings: DecryptTimings };
  media: { data: Uint8Array; outIndexBuf: string; finished: boolean };
}

export type SerializedError =
  | { kind: 'sdk'; code: number; operation: 'init' | 'pull' | 'media' | 'decrypt'; detail?: string }
  | { kind: 'api'; errcode: number; errmsg: string }
  | { kind: 'config'; message: string }
  | { kind: 'internal'; message: string };

export type ToWorker =
  { type: 'start'; start: WorkerStart } | { type: 'call'; id: number; call: WorkerCall } | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'start_failed'; error: SerializedError }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: SerializedError };
