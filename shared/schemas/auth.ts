import { Type, type Static } from 'typebox';
import { InputObject, QueryText, WecomSentObject } from './common.js';

/** Name of the session cookie (HttpOnly, SameSite=Lax, Path=/, Secure behind https). */
export const SESSION_COOKIE = 'scrm_session';

/** `GET /api/auth/login?returnTo=/sidebar/...` — returnTo must be a relative path under /sidebar/ or /console/. */
export const LoginQuery = InputObject({
  returnTo: Type.Optional(QueryText({ maxLength: 1024 })),
});
export type LoginQuery = Static<typeof LoginQuery>;

/**
 * `GET /api/auth/callback?code=&state=` — where WeCom's OAuth page sends the browser back. WeCom writes this query
 * string, so a parameter it adds is tolerated (see WecomSentObject).
 */
export const OAuthCallbackQuery = WecomSentObject({
  code: Type.Optional(Type.String({ maxLength: 512 })),
  state: Type.Optional(Type.String({ maxLength: 128 })),
});
export type OAuthCallbackQuery = Static<typeof OAuthCallbackQuery>;

/** `GET /api/me`: the signed-in rep. */
export const Me = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  avatar: Type.String(),
  position: Type.String(),
  corpId: Type.String(),
  agentId: Type.Integer(),
  /** The server runs against the built-in emulator (the sidebar may then use the mock JS-SDK). */
  demo: Type.Boolean(),
  /** The corp's IANA time zone (CORP_TIME_ZONE): the sidebar shows and reads times on its clocks. */
  timeZone: Type.String(),
});
export type Me = Static<typeof Me>;

/** `POST /api/jsapi/signatures` — the page URL as the JS-SDK passes it (a `#fragment` is ignored). */
export const SignaturesBody = InputObject({
  url: Type.String({ minLength: 8, maxLength: 2048 }),
});
export type SignaturesBody = Static<typeof SignaturesBody>;

/** What `getConfigSignature` / `getAgentConfigSignature` must resolve with. */
export const JsapiSignature = Type.Object({
  /** Unix seconds. */
  timestamp: Type.Integer(),
  nonceStr: Type.String(),
  signature: Type.String(),
});
export type JsapiSignature = Static<typeof JsapiSignature>;

export const Signatures = Type.Object({
  corpId: Type.String(),
  agentId: Type.Integer(),
  /** For `ww.register({ getConfigSignature })` (corp jsapi_ticket). */
  config: JsapiSignature,
  /** For `ww.register({ getAgentConfigSignature })` (the app's agent_config ticket). */
  agentConfig: JsapiSignature,
});
export type Signatures = Static<typeof Signatures>;
