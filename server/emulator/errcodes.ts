/**
 * The WeCom errcodes the emulator answers with, and their errmsg as WeCom writes it (English, lower case).
 * Sources: wecom-protocol.md §4, WeCom's global error-code table (as carried by WxJava `WxCpErrorMsgEnum`).
 */
export const ERR = {
  systemBusy: [-1, 'system busy'],
  invalidSecret: [40001, 'invalid credential'],
  invalidUserId: [40003, 'invalid userid'],
  invalidMediaType: [40004, 'invalid media type'],
  invalidTypeParam: [40005, 'invalid type'],
  invalidMediaId: [40007, 'invalid media_id'],
  invalidMsgType: [40008, 'invalid message type'],
  invalidImageSize: [40009, 'invalid image size'],
  invalidCorpId: [40013, 'invalid corpid'],
  invalidAccessToken: [40014, 'invalid access_token'],
  invalidOAuthCode: [40029, 'invalid code'],
  invalidChatId: [40050, 'invalid chatid'],
  invalidAgentId: [40056, 'invalid agentid'],
  invalidParameter: [40058, 'invalid Request Parameter'],
  invalidTagId: [40068, 'invalid tagid'],
  tagNameExists: [40071, 'tag name exist'],
  invalidExternalUserId: [40096, 'invalid external userid'],
  missingAccessToken: [41001, 'access_token missing'],
  missingCorpId: [41002, 'corpid missing'],
  missingSecret: [41004, 'corpsecret missing'],
  missingOAuthCode: [41008, 'missing code'],
  missingUserId: [41009, 'missing userid'],
  welcomeAlreadySent: [41051, 'externaluser has started chatting'],
  accessTokenExpired: [42001, 'access_token expired'],
  requireGet: [43001, 'require GET method'],
  requirePost: [43002, 'require POST method'],
  emptyMedia: [44001, 'empty media data'],
  emptyContent: [44004, 'empty content'],
  mediaTooLarge: [45001, 'media size out of limit'],
  freqLimit: [45009, 'api freq out of limit'],
  dataFormatError: [47001, 'data format error'],
  missingDepartment: [60127, 'missing department'],
  userNotFound: [60111, 'userid not found'],
  invalidDepartmentId: [60123, 'invalid party id'],
  allTargetsInvalid: [81013, 'user & party & tag all invalid'],
  notExternalContact: [84061, 'not external contact'],
  invalidTicketType: [91040, 'invalid ticket type'],
  invalidWebhookKey: [93000, 'invalid webhook url'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrKey = keyof typeof ERR;

/** A WeCom API failure: served as HTTP 200 `{ errcode, errmsg }`, exactly as WeCom does. */
export class EmulatedApiError extends Error {
  readonly errcode: number;
  readonly errmsg: string;

  constructor(key: ErrKey, detail?: string) {
    const [errcode, errmsg] = ERR[key];
    super(`${errcode} ${errmsg}${detail ? `: ${detail}` : ''}`);
    this.name = 'EmulatedApiError';
    this.errcode = errcode;
    this.errmsg = detail ? `${errmsg}, ${detail}` : errmsg;
  }
}

/** Shorthand for `throw new EmulatedApiError(key, detail)` in expression position. */
export function fail(key: ErrKey, detail?: string): never {
  throw new EmulatedApiError(key, detail);
}

/**
 * WeCom appends a hint and a link to every errmsg (`…, hint: [1700000000_12_abc], from ip: …, more info at …`).
 * The emulator does the same so that client code decides on errcode, never on errmsg text.
 */
export function decorateErrmsg(errcode: number, errmsg: string, nowMs: number, seq: number): string {
  if (errcode === 0) return errmsg;
  const hint = `${Math.floor(nowMs / 1000)}_${seq}_emulator`;
  return `${errmsg}, hint: [${hint}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
}

/** A control request (/_simulate, /_faults, …) was invalid: answered with HTTP 400 and this message. */
export class EmulatorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmulatorInputError';
  }
}
