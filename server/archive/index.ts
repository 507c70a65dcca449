/**
 * The chat archive source (会话内容存档): pulls, decrypts and fetches media through WeCom's Finance SDK, run in a
 * supervised child process. No Fastify, no database: storage plugs in on top of ArchiveSource.
 */
export type {
  ArchiveSource,
  ArchivedMessage,
  ChatDataItem,
  DecryptResult,
  FetchMediaOptions,
  FetchMediaResult,
  MediaChunk,
} from './types.js';
export {
  ArchiveApiError,
  ArchiveConfigError,
  ArchiveError,
  ArchiveMediaError,
  ArchiveSourceClosedError,
  ArchiveWorkerCrashedError,
  ArchiveWorkerTimeoutError,
  FinanceSdkError,
  isRetryableSdkCode,
} from './errors.js';
export {
  createFinanceArchiveSource,
  FinanceArchiveSource,
  type ArchiveSourceStats,
  type FinanceArchiveSourceOptions,
} from './finance-archive-source.js';
export { ArchiveWorkerError, type SupervisorEvent } from './sdk-supervisor.js';
export { parseArchiveEnv, type ArchiveConfig } from './config.js';
export { loadArchivePrivateKeys, PrivateKeysError } from './private-keys.js';
export { ensureStandInSdk, STAND_IN_SDK_PATH, STAND_IN_URL_ENV, standInSdkUrl } from './stand-in-sdk.js';
