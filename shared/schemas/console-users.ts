import { Type, type Static } from 'typebox';
import { ConsoleRole, DepartmentRef, MemberRole, NewPassword, Username } from './console-auth.js';
import { InputObject, SearchText } from './common.js';

/**
 * People and settings (`/api/console/users`, `/members`, `/departments`, `/reps`, `/settings`). Changing anything here
 * is for admins; managers read the departments and reps of their scope. Every change is in the audit log.
 */

const DepartmentIds = Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100, uniqueItems: true });

// ---- console accounts -----------------------------------------------------------------------------------------------

export const AccountIdParams = InputObject({ id: Type.Integer({ minimum: 1 }) });
export type AccountIdParams = Static<typeof AccountIdParams>;

/** A console account: a local account, or a WeCom member given a role. */
export const ConsoleAccount = Type.Object({
  id: Type.Integer(),
  kind: Type.Union([Type.Literal('local'), Type.Literal('member')]),
  /** Local accounts. */
  username: Type.Union([Type.String(), Type.Null()]),
  /** Members: the WeCom userid. */
  userId: Type.Union([Type.String(), Type.Null()]),
  /** Local: as set by the admin; member: the member's WeCom name. */
  name: Type.String(),
  avatar: Type.String(),
  role: ConsoleRole,
  /** Managers' departments (sub-departments included in their scope); empty for admins. */
  departments: Type.Array(DepartmentRef),
  /** `locked`: too many wrong passwords, until `lockedUntil`. */
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled'), Type.Literal('locked')]),
  lockedUntil: Type.Union([Type.Integer(), Type.Null()]),
  mustChangePassword: Type.Boolean(),
  /** ms */
  lastLoginAt: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.Integer(),
});
export type ConsoleAccount = Static<typeof ConsoleAccount>;

export const ConsoleAccountList = Type.Object({ items: Type.Array(ConsoleAccount) });
export type ConsoleAccountList = Static<typeof ConsoleAccountList>;

/**
 * `POST /api/console/users` → 201: a local account. Usernames are unique (without regard to case), and so are the
 * names of local accounts (409 otherwise). A manager needs at least one department.
 */
export const CreateLocalAccountBody = InputObject({
  username: Username,
  name: Type.String({ minLength: 1, maxLength: 30 }),
  password: NewPassword,
  role: ConsoleRole,
  departmentIds: Type.Optional(DepartmentIds),
  /** Ask for a new password at the first sign-in (default true). */
  mustChangePassword: Type.Optional(Type.Boolean()),
});
export type CreateLocalAccountBody = Static<typeof CreateLocalAccountBody>;

/**
 * `PATCH /api/console/users/:id`: any of the fields. Disabling ends the account's sessions. The last active admin
 * account cannot be disabled or made a manager (409), and nobody disables their own account.
 */
export const UpdateAccountBody = InputObject(
  {
    /** Local accounts only. */
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
    role: Type.Optional(ConsoleRole),
    departmentIds: Type.Optional(DepartmentIds),
    disabled: Type.Optional(Type.Boolean()),
  },
  { minProperties: 1 },
);
export type UpdateAccountBody = Static<typeof UpdateAccountBody>;

/** `PUT /api/console/users/:id/password` (admin resets a local account's password) → 204; its sessions end. */
export const ResetPasswordBody = InputObject({
  password: NewPassword,
  /** Default true: the user sets their own password at the next sign-in. */
  mustChangePassword: Type.Optional(Type.Boolean()),
});
export type ResetPasswordBody = Static<typeof ResetPasswordBody>;

// `POST /api/console/users/:id/unlock` (no body) → ConsoleAccount: ends a lockout early.

// ---- WeCom members and their roles --------------------------------------------------------------------------------

/** `GET /api/console/members` (admin): the corp's members with their console role. */
export const MemberListQuery = InputObject({
  /** Name or userid contains. */
  q: Type.Optional(SearchText({ maxLength: 50 })),
  departmentId: Type.Optional(Type.Integer({ minimum: 1 })),
  role: Type.Optional(MemberRole),
});
export type MemberListQuery = Static<typeof MemberListQuery>;

export const Member = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  avatar: Type.String(),
  position: Type.String(),
  departments: Type.Array(DepartmentRef),
  /** 1 active, 2 disabled, 4 not activated, 5 resigned (WeCom's status). */
  status: Type.Integer(),
  role: MemberRole,
  /** The departments a manager manages (empty otherwise). */
  managedDepartments: Type.Array(DepartmentRef),
  /** The member's console account, when they have a role. */
  accountId: Type.Union([Type.Integer(), Type.Null()]),
});
export type Member = Static<typeof Member>;

export const MemberList = Type.Object({ items: Type.Array(Member) });
export type MemberList = Static<typeof MemberList>;

export const MemberParams = InputObject({ userId: Type.String({ minLength: 1, maxLength: 64 }) });
export type MemberParams = Static<typeof MemberParams>;

/**
 * `PUT /api/console/members/:userId/access` → Member: gives a member the admin or manager role (with the departments
 * they manage), or takes it away (`rep`: the member's console sessions end).
 */
export const MemberAccessBody = InputObject({
  role: MemberRole,
  departmentIds: Type.Optional(DepartmentIds),
});
export type MemberAccessBody = Static<typeof MemberAccessBody>;

// ---- departments and reps (scoped) --------------------------------------------------------------------------------

/**
 * `GET /api/console/departments`: the departments in the caller's scope (all for admins), as a flat list in WeCom's
 * order; `parentId` links them into a tree (a manager's top departments have a parent outside their scope).
 */
export const Department = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  /** Members whose department (main, the first WeCom lists) is this one. */
  memberCount: Type.Integer(),
});
export type Department = Static<typeof Department>;

export const DepartmentList = Type.Object({ items: Type.Array(Department) });
export type DepartmentList = Static<typeof DepartmentList>;

/** `GET /api/console/reps?departmentId=`: the reps in the caller's scope (for filters and pickers). */
export const RepListQuery = InputObject({
  departmentId: Type.Optional(Type.Integer({ minimum: 1 })),
  q: Type.Optional(SearchText({ maxLength: 50 })),
});
export type RepListQuery = Static<typeof RepListQuery>;

export const RepRef = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  avatar: Type.String(),
  position: Type.String(),
  /** The rep's main department (statistics and scope count them there). */
  department: Type.Union([DepartmentRef, Type.Null()]),
  status: Type.Integer(),
});
export type RepRef = Static<typeof RepRef>;

export const RepList = Type.Object({ items: Type.Array(RepRef) });
export type RepList = Static<typeof RepList>;

// ---- corp settings ------------------------------------------------------------------------------------------------

/**
 * `GET`/`PUT /api/console/settings` (PUT: admin; any subset of the editable fields). Working hours and holidays are
 * `GET`/`PUT /api/settings/work-calendar` (shared/schemas/work-calendar.ts).
 */
export const CorpSettings = Type.Object({
  corpId: Type.String(),
  /** Shown in the console's header; defaults to the corp's name. */
  displayName: Type.String(),
  /** Read only: CORP_TIME_ZONE. */
  timeZone: Type.String(),
  /** A console session unused this long ends (15–720). */
  sessionIdleMinutes: Type.Integer(),
  /** Wrong passwords in a row that lock a local account (3–20) … */
  lockoutThreshold: Type.Integer(),
  /** … for this long (1–1440). */
  lockoutMinutes: Type.Integer(),
  /**
   * A chat counts as unanswered ("unanswered now") when the customer wrote last, within this many hours (1–720);
   * older silences are no longer an open question.
   */
  unansweredWindowHours: Type.Integer(),
});
export type CorpSettings = Static<typeof CorpSettings>;

export const CorpSettingsPatch = InputObject(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    sessionIdleMinutes: Type.Optional(Type.Integer({ minimum: 15, maximum: 720 })),
    lockoutThreshold: Type.Optional(Type.Integer({ minimum: 3, maximum: 20 })),
    lockoutMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
    unansweredWindowHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720 })),
  },
  { minProperties: 1 },
);
export type CorpSettingsPatch = Static<typeof CorpSettingsPatch>;
