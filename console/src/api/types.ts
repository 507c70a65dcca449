/**
 * The API's types, taken from the server's TypeBox schemas in shared/ (type-only imports: nothing of TypeBox reaches
 * the bundle). Only what shared/ does not describe is declared here.
 */
export type { ErrorBody } from '@shared/schemas/common';
export type {
  AccountLockedBody,
  ChangeOwnPasswordBody,
  ConsoleIdentity,
  ConsoleLoginBody,
  ConsoleLoginError,
  ConsoleMe,
  ConsoleRole,
  DepartmentRef,
  MemberRole,
} from '@shared/schemas/console-auth';
export type {
  ChannelDetail,
  ChannelRef,
  ChannelStatsList,
  ChannelStatsQuery,
  ChannelStatsRow,
  DashboardQuery,
  LossAlert,
  LossAlertPage,
  LossAlertQuery,
  Overview,
  OverviewChannel,
  OverviewDay,
  Range,
  RepDay,
  RepDetail,
  RepStats,
  RepStatsQuery,
  RepStatsRow,
  Share,
  WecomBehavior,
} from '@shared/schemas/console-dashboards';
export type {
  BulkTagBatch,
  BulkTagBody,
  ConsoleConversation,
  ConsoleConversationList,
  ConsoleCustomerCard,
  ConsoleCustomerPage,
  ConsoleCustomerQuery,
  ConsoleCustomerRow,
  ConsoleMessage,
  ConsoleMessagePage,
  FollowRef,
  TagRef,
} from '@shared/schemas/console-customers';
export type {
  ConsoleAccount,
  ConsoleAccountList,
  CorpSettings,
  CorpSettingsPatch,
  CreateLocalAccountBody,
  Department,
  DepartmentList,
  Member,
  MemberAccessBody,
  MemberList,
  RepList,
  RepRef,
  UpdateAccountBody,
} from '@shared/schemas/console-users';
export type { AuditEntry, AuditPage, AuditQuery } from '@shared/schemas/console-audit';
export type { ScriptImportPreview, ScriptImportResult, ScriptImportRow } from '@shared/schemas/console-scripts';
export type { Stage, TimelineFilter, TimelineItem, TimelinePage } from '@shared/schemas/customers';
export type {
  Channel,
  ChannelList,
  ChannelRep,
  ChannelTag,
  CreateChannelBody,
  UpdateChannelBody,
} from '@shared/schemas/channels';
export type {
  DefaultWelcome,
  Welcome,
  WelcomeAttachment,
  WelcomeInput,
  WelcomePreview,
  WelcomePreviewBody,
  WelcomeVariant,
} from '@shared/schemas/welcome';
export type {
  CreateTagBody,
  CreateTagGroupBody,
  Tag,
  TagGroup,
  TagLibrary,
  TagSyncResult,
  UpdateTagBody,
} from '@shared/schemas/tags';
export type {
  Script,
  ScriptBody,
  ScriptGroup,
  ScriptGroupBody,
  ScriptGroupPatchBody,
  ScriptKind,
  ScriptList,
  ScriptPayload,
} from '@shared/schemas/scripts';
export type {
  KeywordAlert,
  KeywordAlertPage,
  KeywordRule,
  KeywordRuleBody,
  KeywordRulePatchBody,
  MessageHit,
  MessageSearchPage,
} from '@shared/schemas/messages';
export type { WorkCalendar, WorkingSpan } from '@shared/schemas/work-calendar';
export type { Recipients, Robot, Rule, RuleKind, CreateRobotBody, UpdateRobotBody } from '@shared/schemas/automations';

/**
 * The fields `GET /api/console/dashboard/reps` sorts by (RepStatsSortField of console-dashboards.ts, whose static type
 * TypeBox infers as `never` from its mapped literals).
 */
export type RepStatsSortField =
  | 'name'
  | 'newCustomers'
  | 'lostCustomers'
  | 'netCustomers'
  | 'conversations'
  | 'messagesSent'
  | 'firstReplyMedianSeconds'
  | 'firstReplyP90Seconds'
  | 'replyRate3m'
  | 'unansweredNow'
  | 'scriptsSent'
  | 'suggestionsSent'
  | 'notesWritten'
  | 'overdueReminders'
  | 'overdueTasks';
