import { Type, type Static } from 'typebox';

export const CallbackParams = Type.Object({ corpId: Type.String({ minLength: 1, maxLength: 64 }) });
export type CallbackParams = Static<typeof CallbackParams>;

const signed = {
  msg_signature: Type.String({ minLength: 1, maxLength: 128 }),
  timestamp: Type.String({ minLength: 1, maxLength: 32 }),
  nonce: Type.String({ minLength: 1, maxLength: 64 }),
};

/** GET: WeCom verifying the callback URL when an admin saves it. */
export const CallbackVerifyQuery = Type.Object({ ...signed, echostr: Type.String({ minLength: 1, maxLength: 4096 }) });
export type CallbackVerifyQuery = Static<typeof CallbackVerifyQuery>;

/** POST: an encrypted message or event. */
export const CallbackPostQuery = Type.Object(signed);
export type CallbackPostQuery = Static<typeof CallbackPostQuery>;
