import { Type, type Static } from 'typebox';
import { InputObject, WecomSentObject } from './common.js';

export const CallbackParams = InputObject({ corpId: Type.String({ minLength: 1, maxLength: 64 }) });
export type CallbackParams = Static<typeof CallbackParams>;

const signed = {
  msg_signature: Type.String({ minLength: 1, maxLength: 128 }),
  timestamp: Type.String({ minLength: 1, maxLength: 32 }),
  nonce: Type.String({ minLength: 1, maxLength: 64 }),
};

/**
 * GET: WeCom verifying the callback URL when an admin saves it. WeCom writes these query strings, so a parameter it
 * adds is tolerated (see WecomSentObject): refusing it would lose callbacks.
 */
export const CallbackVerifyQuery = WecomSentObject({
  ...signed,
  echostr: Type.String({ minLength: 1, maxLength: 4096 }),
});
export type CallbackVerifyQuery = Static<typeof CallbackVerifyQuery>;

/** POST: an encrypted message or event. */
export const CallbackPostQuery = WecomSentObject(signed);
export type CallbackPostQuery = Static<typeof CallbackPostQuery>;
