import { ApiError, NETWORK_ERROR_MESSAGE, readAnswer, withQuery, type Query } from '@shared/web/http';
import type {
  AuditPage,
  AuditQuery,
  BulkTagBatch,
  BulkTagBody,
  Channel,
  ChannelDetail,
  ChannelList,
  ChannelStatsList,
  ChannelStatsQuery,
  ConsoleAccount,
  ConsoleAccountList,
  ConsoleConversationList,
  ConsoleCustomerCard,
  ConsoleCustomerPage,
  ConsoleCustomerQuery,
  ConsoleLoginBody,
  ConsoleMe,
  ConsoleMessagePage,
  CorpSettings,
  CorpSettingsPatch,
  CreateChannelBody,
  CreateLocalAccountBody,
  CreateRobotBody,
  CreateTagBody,
  CreateTagGroupBody,
  DashboardQuery,
  DefaultWelcome,
  DepartmentList,
  KeywordAlertPage,
  KeywordRule,
  KeywordRuleBody,
  KeywordRulePatchBody,
  LossAlertPage,
  LossAlertQuery,
  Member,
  MemberAccessBody,
  MemberList,
  MessageSearchPage,
  Overview,
  RepDetail,
  RepList,
  RepStats,
  RepStatsQuery,
  RepStatsSortField,
  Robot,
  Rule,
  RuleKind,
  Script,
  ScriptBody,
  ScriptGroup,
  ScriptGroupBody,
  ScriptGroupPatchBody,
  ScriptImportPreview,
  ScriptImportResult,
  ScriptList,
  Stage,
  Tag,
  TagGroup,
  TagLibrary,
  TagSyncResult,
  TimelineFilter,
  TimelinePage,
  UpdateAccountBody,
  UpdateChannelBody,
  UpdateRobotBody,
  UpdateTagBody,
  WelcomeInput,
  WelcomePreview,
  WelcomePreviewBody,
  WorkCalendar,
} from './types';

export { ApiError };

/** Answers 200 exactly while the console session cookie (or the admin token) is valid. */
export const SESSION_PROBE = '/api/console/me';
const LOGIN = '/api/console/auth/login';

/** Where the browser goes for WeCom's web sign-in (企业微信扫码登录); it comes back to `returnTo`. */
export function wecomLoginUrl(returnTo: string): string {
  return withQuery('/api/console/auth/wecom', { returnTo });
}

export interface ConsoleApiOptions {
  fetch?: typeof fetch;
}

/** A file the server sent (a CSV export, a QR code): its bytes and the name it suggested. */
export interface DownloadedFile {
  blob: Blob;
  filename: string;
}

/** `attachment; filename="a.csv"; filename*=UTF-8''%E6%B8%A0…`: the UTF-8 name when given. */
export function filenameOf(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain?.[1]?.trim() || fallback;
}

const seg = encodeURIComponent;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * The one API client of the console: JSON over fetch with the same-origin session cookie, typed errors (the server's
 * Chinese message, and the field it names), and central 401 handling: any answer 401 outside the sign-in itself
 * means the session is over, and every listener (the session store, which sends the browser to the sign-in page) is
 * told once per session.
 */
export function createConsoleApi(options: ConsoleApiOptions = {}) {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const expiredListeners = new Set<(err: ApiError) => void>();
  /** Set once the session is known to have ended, until the next sign-in: one notice for a burst of 401s. */
  let expired = false;

  async function send(method: Method, path: string, init: { query?: Query; body?: unknown; accept?: string } = {}) {
    const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(withQuery(path, init.query), {
        method,
        headers,
        credentials: 'same-origin',
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    } catch {
      throw new ApiError(0, 'network', NETWORK_ERROR_MESSAGE);
    }
    // The sign-in's own 401 is a wrong password, not an ended session.
    if (response.status === 401 && path !== LOGIN) {
      const err = new ApiError(401, 'session_expired', '登录已过期，请重新登录');
      if (!expired) {
        expired = true;
        for (const listener of expiredListeners) listener(err);
      }
      throw err;
    }
    return response;
  }

  async function request<T>(method: Method, path: string, init: { query?: Query; body?: unknown } = {}): Promise<T> {
    const response = await send(method, path, init);
    return readAnswer<T>(response, method);
  }

  const get = <T>(path: string, query?: Query) => request<T>('GET', path, { query });
  const post = <T>(path: string, body?: unknown) => request<T>('POST', path, { body });
  const put = <T>(path: string, body?: unknown) => request<T>('PUT', path, { body });
  const patch = <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body });
  const del = (path: string) => request<void>('DELETE', path);

  /** A file (CSV, PNG) through the same session and error handling as JSON. */
  async function download(path: string, query: Query | undefined, fallbackName: string): Promise<DownloadedFile> {
    const response = await send('GET', path, { query, accept: '*/*' });
    if (!response.ok) await readAnswer(response, 'GET'); // throws the server's error
    return {
      blob: await response.blob(),
      filename: filenameOf(response.headers.get('content-disposition'), fallbackName),
    };
  }

  const q = <T extends object>(query: T) => query as unknown as Query;

  return {
    request,
    download,
    /** Told when a request finds the session ended (once per session). Returns the unsubscribe function. */
    onSessionExpired(listener: (err: ApiError) => void) {
      expiredListeners.add(listener);
      return () => void expiredListeners.delete(listener);
    },
    /** A new session: 401s count as an expiry again. */
    resetExpiry() {
      expired = false;
    },

    // ---- session ------------------------------------------------------------------------------------------------
    me: () => get<ConsoleMe>(SESSION_PROBE),
    login: async (body: ConsoleLoginBody) => {
      const me = await post<ConsoleMe>(LOGIN, body);
      expired = false;
      return me;
    },
    logout: () => post<void>('/api/console/auth/logout'),
    changePassword: (currentPassword: string, newPassword: string) =>
      put<void>('/api/console/me/password', { currentPassword, newPassword }),

    // ---- people and settings ------------------------------------------------------------------------------------
    departments: () => get<DepartmentList>('/api/console/departments'),
    reps: (query: { departmentId?: number; q?: string } = {}) => get<RepList>('/api/console/reps', query),
    accounts: () => get<ConsoleAccountList>('/api/console/users'),
    createAccount: (body: CreateLocalAccountBody) => post<ConsoleAccount>('/api/console/users', body),
    updateAccount: (id: number, body: UpdateAccountBody) => patch<ConsoleAccount>(`/api/console/users/${id}`, body),
    resetPassword: (id: number, password: string, mustChangePassword = true) =>
      put<void>(`/api/console/users/${id}/password`, { password, mustChangePassword }),
    unlockAccount: (id: number) => post<ConsoleAccount>(`/api/console/users/${id}/unlock`),
    members: (query: { q?: string; departmentId?: number; role?: string } = {}) =>
      get<MemberList>('/api/console/members', query),
    setMemberAccess: (userId: string, body: MemberAccessBody) =>
      put<Member>(`/api/console/members/${seg(userId)}/access`, body),
    settings: () => get<CorpSettings>('/api/console/settings'),
    saveSettings: (body: CorpSettingsPatch) => put<CorpSettings>('/api/console/settings', body),
    workCalendar: () => get<WorkCalendar>('/api/settings/work-calendar'),
    saveWorkCalendar: (body: WorkCalendar) => put<WorkCalendar>('/api/settings/work-calendar', body),
    audit: (query: AuditQuery) => get<AuditPage>('/api/console/audit', q(query)),

    // ---- dashboards ---------------------------------------------------------------------------------------------
    overview: (query: DashboardQuery) => get<Overview>('/api/console/dashboard/overview', q(query)),
    lossAlerts: (query: LossAlertQuery) => get<LossAlertPage>('/api/console/dashboard/loss-alerts', q(query)),
    repStats: (query: Omit<RepStatsQuery, 'sort'> & { sort?: RepStatsSortField }) =>
      get<RepStats>('/api/console/dashboard/reps', q(query)),
    repDetail: (userId: string, query: { from: string; to: string }) =>
      get<RepDetail>(`/api/console/dashboard/reps/${seg(userId)}`, query),
    channelStats: (query: ChannelStatsQuery) => get<ChannelStatsList>('/api/console/dashboard/channels', q(query)),
    channelDetail: (id: number, query: DashboardQuery) =>
      get<ChannelDetail>(`/api/console/dashboard/channels/${id}`, q(query)),

    // ---- customers and conversations ----------------------------------------------------------------------------
    customers: (query: ConsoleCustomerQuery) => get<ConsoleCustomerPage>('/api/console/customers', q(query)),
    customer: (externalUserId: string) => get<ConsoleCustomerCard>(`/api/console/customers/${seg(externalUserId)}`),
    customerTimeline: (
      externalUserId: string,
      query: { filter?: TimelineFilter; cursor?: string | null; limit?: number } = {},
    ) => get<TimelinePage>(`/api/console/customers/${seg(externalUserId)}/timeline`, query),
    customerConversations: (externalUserId: string) =>
      get<ConsoleConversationList>(`/api/console/customers/${seg(externalUserId)}/conversations`),
    conversationMessages: (id: number, query: { cursor?: string | null; limit?: number } = {}) =>
      get<ConsoleMessagePage>(`/api/console/conversations/${id}/messages`, query),
    bulkTag: (body: BulkTagBody) => post<BulkTagBatch>('/api/console/customers/bulk-tag', body),
    bulkTagBatch: (batchId: number) => get<BulkTagBatch>(`/api/console/customers/bulk-tag/${batchId}`),
    searchMessages: (query: {
      q?: string;
      userId?: string;
      externalUserId?: string;
      from?: number;
      to?: number;
      cursor?: string | null;
      limit?: number;
    }) => get<MessageSearchPage>('/api/messages', query),
    keywordAlerts: (query: { ruleId?: number; userId?: string; cursor?: string | null; limit?: number } = {}) =>
      get<KeywordAlertPage>('/api/keyword-alerts', query),
    keywordRules: () => get<KeywordRule[]>('/api/keyword-rules'),
    createKeywordRule: (body: KeywordRuleBody) => post<KeywordRule>('/api/keyword-rules', body),
    updateKeywordRule: (id: number, body: KeywordRulePatchBody) => patch<KeywordRule>(`/api/keyword-rules/${id}`, body),
    deleteKeywordRule: (id: number) => del(`/api/keyword-rules/${id}`),

    // ---- channel codes and welcome messages ---------------------------------------------------------------------
    channels: () => get<ChannelList>('/api/channels'),
    channel: (id: number) => get<Channel>(`/api/channels/${id}`),
    createChannel: (body: CreateChannelBody) => post<Channel>('/api/channels', body),
    updateChannel: (id: number, body: UpdateChannelBody) => patch<Channel>(`/api/channels/${id}`, body),
    deleteChannel: (id: number) => del(`/api/channels/${id}`),
    channelQr: (id: number, name: string) => download(`/api/channels/${id}/qr.png`, undefined, `${name}.png`),
    defaultWelcome: () => get<DefaultWelcome>('/api/welcome/default'),
    saveDefaultWelcome: (welcome: WelcomeInput) => put<DefaultWelcome>('/api/welcome/default', welcome),
    deleteDefaultWelcome: () => del('/api/welcome/default'),
    previewWelcome: (body: WelcomePreviewBody) => post<WelcomePreview>('/api/welcome/preview', body),

    // ---- tags and stages ----------------------------------------------------------------------------------------
    tagLibrary: () => get<TagLibrary>('/api/tags'),
    syncTags: () => post<TagSyncResult>('/api/tags/sync'),
    createTagGroup: (body: CreateTagGroupBody) => post<TagGroup>('/api/tags/groups', body),
    updateTagGroup: (groupId: string, body: UpdateTagBody) => patch<TagGroup>(`/api/tags/groups/${seg(groupId)}`, body),
    deleteTagGroup: (groupId: string) => del(`/api/tags/groups/${seg(groupId)}`),
    createTag: (body: CreateTagBody) => post<Tag>('/api/tags', body),
    updateTag: (id: string, body: UpdateTagBody) => patch<Tag>(`/api/tags/${seg(id)}`, body),
    deleteTag: (id: string) => del(`/api/tags/${seg(id)}`),
    reorderTags: (ids: string[]) => post<TagLibrary>('/api/tags/reorder', { ids }),
    stages: () => get<Stage[]>('/api/stages'),
    saveStages: (stages: { stageId?: number; name: string }[]) => put<Stage[]>('/api/stages', { stages }),

    // ---- script library -----------------------------------------------------------------------------------------
    scriptGroups: () => get<ScriptGroup[]>('/api/script-groups'),
    createScriptGroup: (body: ScriptGroupBody) => post<ScriptGroup>('/api/script-groups', body),
    updateScriptGroup: (id: number, body: ScriptGroupPatchBody) => put<ScriptGroup>(`/api/script-groups/${id}`, body),
    deleteScriptGroup: (id: number) => del(`/api/script-groups/${id}`),
    scripts: (query: { q?: string; groupId?: number; limit?: number; offset?: number }) =>
      get<ScriptList>('/api/scripts', query),
    createScript: (body: ScriptBody) => post<Script>('/api/scripts', body),
    updateScript: (id: number, body: ScriptBody) => put<Script>(`/api/scripts/${id}`, body),
    deleteScript: (id: number) => del(`/api/scripts/${id}`),
    previewScriptImport: (csv: string) => post<ScriptImportPreview>('/api/console/scripts/import/preview', { csv }),
    importScripts: (csv: string, checksum: string) =>
      post<ScriptImportResult>('/api/console/scripts/import', { csv, checksum }),

    // ---- automations (admin API) --------------------------------------------------------------------------------
    robots: () => get<{ robots: Robot[] }>('/api/robots'),
    createRobot: (body: CreateRobotBody) => post<Robot>('/api/robots', body),
    updateRobot: (id: number, body: UpdateRobotBody) => patch<Robot>(`/api/robots/${id}`, body),
    deleteRobot: (id: number) => del(`/api/robots/${id}`),
    testRobot: (id: number) => post<{ notificationId: number }>(`/api/robots/${id}/test`),
    rules: () => get<{ rules: Rule[] }>('/api/automations/rules'),
    updateRule: (kind: RuleKind, body: { enabled?: boolean; recipients?: object; config?: object }) =>
      patch<Rule>(`/api/automations/rules/${kind}`, body),
  };
}

export type ConsoleApi = ReturnType<typeof createConsoleApi>;

/** The page's client. Stores use it through this module; tests stub the global `fetch` it calls. */
export const api: ConsoleApi = createConsoleApi();
