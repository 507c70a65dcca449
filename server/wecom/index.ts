/** The WeCom protocol layer: callback crypto, XML, typed events, API client and typed APIs, JS-SDK signatures. */
export {
  buildPassiveReply,
  computeSignature,
  decryptMessage,
  decryptMessageWithRandom,
  encryptMessage,
  openCallback,
  sealCallback,
  validateEncodingAesKey,
  verifySignature,
  WecomCryptoError,
} from './crypto.js';
export type { CallbackCredentials, CryptoFailure } from './crypto.js';
export { buildXml, cdata, parseXml, WecomXmlError } from './xml.js';
export {
  APP_MESSAGE_TYPES,
  buildExternalContactEventXml,
  eventTypeOf,
  EXTERNAL_CHAT_CHANGE_TYPES,
  EXTERNAL_CONTACT_CHANGE_TYPES,
  EXTERNAL_TAG_CHANGE_TYPES,
  idempotencyKey,
  parseEnvelope,
  parseEvent,
} from './events.js';
export type {
  AppMessage,
  AppMessageType,
  ExternalChatChangeType,
  ExternalChatEvent,
  ExternalContactChangeType,
  ExternalContactEvent,
  ExternalTagChangeType,
  ExternalTagEvent,
  KfMsgOrEvent,
  MsgauditNotifyEvent,
  UnknownEvent,
  WecomEvent,
} from './events.js';
export { isRetryableErrcode, WecomApiError, WecomNetworkError } from './errors.js';
export { TokenCache } from './token-cache.js';
export type { FetchedToken } from './token-cache.js';
export { WecomClient } from './client.js';
export type { QueryParams, UploadFile, WecomClientOptions } from './client.js';
export { createWecomApi } from './api.js';
export type { WecomApi } from './api.js';
export type * from './types.js';
export { JsapiSigner, signJsapi } from './jsapi.js';
export type { JsapiSignature } from './jsapi.js';
