import { Type, type Static } from 'typebox';
import { InputObject, PatternString, QueryText, WecomSentObject } from './common.js';

/**
 * The manager console's sign-in and session (`/api/console/auth/*`, `/api/console/me`).
 *
 * Two ways in, one kind of session:
 * - a local account (username + password), e.g. the first admin made with `npm run user:create`, or the demo's `admin`;
 * - WeCom web sign-in (企业微信扫码登录) for members who were given the admin or manager role.
 *
 * The session lives on the server (in the database); the browser holds `scrm_console` (HttpOnly, SameSite=Strict,
 * Path=/, Secure behind https), a cookie distinct from the sidebar's `scrm_session`: a rep's sidebar session never
 * opens the console, and signing out of one does not sign out of the other. A session ends after
 * `sessionIdleMinutes` without a request (corp settings, default 120) or 12 hours after sign-in, whichever is first;
 * then every console route answers 401 and the console shows its sign-in page.
 *
 * Roles: `admin` (everything, all departments) and `manager` (the departments given to them, sub-departments
 * included). Members without a role are reps: they use the sidebar and cannot sign in here. The admin bearer token
 * (`Authorization: Bearer $ADMIN_TOKEN`, for scripts and integrations) acts as an admin on every console route.
 *
 * State-changing requests follow the API's CSRF rules (JSON body, the page's own Origin).
 */

/** Name of the console session cookie. */
export const CONSOLE_SESSION_COOKIE = 'scrm_console';

export const ConsoleRole = Type.Union([Type.Literal('admin'), Type.Literal('manager')]);
export type ConsoleRole = Static<typeof ConsoleRole>;

/** A member's role: `rep` means no console access (the sidebar only). */
export const MemberRole = Type.Union([Type.Literal('admin'), Type.Literal('manager'), Type.Literal('rep')]);
export type MemberRole = Static<typeof MemberRole>;

/**
 * Local account names: 3–32 characters, letters, digits, `.`, `_`, `-`, starting with a letter or digit. Compared
 * without regard to case (`Admin` and `admin` are one account).
 */
export const Username = PatternString(
  '^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$',
  '应为 3 到 32 个字符，只能包含字母、数字、点、下划线和连字符，并以字母或数字开头',
);

/**
 * A new password. The server also checks (400, `field` names the password): at least 10 characters, letters and at
 * least one digit or symbol, not containing the username, not a commonly used password.
 */
export const NewPassword = Type.String({ minLength: 10, maxLength: 128 });

/** `POST /api/console/auth/login` → 200 ConsoleMe and the session cookie. */
export const ConsoleLoginBody = InputObject({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 128 }),
});
export type ConsoleLoginBody = Static<typeof ConsoleLoginBody>;

/**
 * 423 `account_locked`: after 5 wrong passwords in a row (corp settings `lockoutThreshold`) the account is locked for
 * 15 minutes (`lockoutMinutes`); the message says until when, in the corp's time zone, e.g.
 * `密码错误次数过多，账号已锁定，请于 14:35 后再试`. Wrong username or password is 401 `invalid_credentials`
 * (`用户名或密码错误`, the same for an unknown username); a disabled account is 403 `account_disabled`.
 */
export const AccountLockedBody = Type.Object({
  error: Type.Literal('account_locked'),
  message: Type.String(),
  requestId: Type.String(),
  /** When the lock ends, ms. */
  unlockAt: Type.Integer(),
});
export type AccountLockedBody = Static<typeof AccountLockedBody>;

/**
 * `GET /api/console/auth/wecom?returnTo=/console/…` → 302 to WeCom's web sign-in (企业微信扫码登录; the emulator's
 * page in demo mode). `returnTo` must be a path under /console/ (default `/console/`).
 */
export const ConsoleWecomLoginQuery = InputObject({
  returnTo: Type.Optional(QueryText({ maxLength: 1024 })),
});
export type ConsoleWecomLoginQuery = Static<typeof ConsoleWecomLoginQuery>;

/** `GET /api/console/auth/wecom/callback?code=&state=`: written by WeCom (unknown parameters tolerated). */
export const ConsoleWecomCallbackQuery = WecomSentObject({
  code: Type.Optional(Type.String({ maxLength: 512 })),
  state: Type.Optional(Type.String({ maxLength: 128 })),
});
export type ConsoleWecomCallbackQuery = Static<typeof ConsoleWecomCallbackQuery>;

/**
 * Where the WeCom callback sends the browser when sign-in fails: `/console/login?error=<code>`. The console's sign-in
 * page shows the Chinese text below for the code.
 */
export const CONSOLE_LOGIN_ERRORS = {
  state: '登录状态已失效，请重新扫码登录',
  cancelled: '已取消企业微信登录',
  code: '登录凭证无效或已过期，请重新扫码登录',
  no_access: '您没有管理后台权限，请联系管理员开通',
  disabled: '该账号已停用，请联系管理员',
  inactive_member: '该成员已停用或离职，无法登录',
  upstream: '暂时无法连接企业微信，请稍后重试',
} as const;
export type ConsoleLoginError = keyof typeof CONSOLE_LOGIN_ERRORS;

export const DepartmentRef = Type.Object({ id: Type.Integer(), name: Type.String() });
export type DepartmentRef = Static<typeof DepartmentRef>;

/** Who is signed in: a local account, a WeCom member, or the admin token (scripts). */
export const ConsoleIdentity = Type.Object({
  kind: Type.Union([Type.Literal('local'), Type.Literal('member'), Type.Literal('token')]),
  /** Console account id (local and member accounts); null for the token. */
  accountId: Type.Union([Type.Integer(), Type.Null()]),
  /** Local accounts: the username. */
  username: Type.Union([Type.String(), Type.Null()]),
  /** Members: the WeCom userid. */
  userId: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  avatar: Type.String(),
  role: ConsoleRole,
  /**
   * Managers: the departments they were given (their sub-departments are in scope too). Admins: empty (all).
   */
  departments: Type.Array(DepartmentRef),
  /** A local account whose password an admin reset: the console asks for a new one first. */
  mustChangePassword: Type.Boolean(),
});
export type ConsoleIdentity = Static<typeof ConsoleIdentity>;

/** `GET /api/console/me` (also the answer of a password sign-in). */
export const ConsoleMe = Type.Object({
  user: ConsoleIdentity,
  corp: Type.Object({ corpId: Type.String(), name: Type.String() }),
  /** The corp's IANA time zone: every day and clock of the console is on it. */
  timeZone: Type.String(),
  /** Running against the built-in WeCom emulator. */
  demo: Type.Boolean(),
  /** When the session ends at the latest (absolute expiry), ms; null for the admin token. */
  sessionExpiresAt: Type.Union([Type.Integer(), Type.Null()]),
});
export type ConsoleMe = Static<typeof ConsoleMe>;

/** `PUT /api/console/me/password` (local accounts) → 204; other sessions of the account are ended. */
export const ChangeOwnPasswordBody = InputObject({
  currentPassword: Type.String({ minLength: 1, maxLength: 128 }),
  newPassword: NewPassword,
});
export type ChangeOwnPasswordBody = Static<typeof ChangeOwnPasswordBody>;
