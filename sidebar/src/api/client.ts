import { ApiError, NETWORK_ERROR_MESSAGE, isErrorBody, readAnswer, withQuery, type Query } from '@shared/web/http';
import type {
  CustomerCard,
  CustomerList,
  CustomerPatchBody,
  DemoRep,
  Me,
  MessagePage,
  NoteBody,
  NotePatchBody,
  ScriptGroup,
  ScriptList,
  ScriptSendResult,
  SentMessage,
  Signatures,
  Stage,
  SuggestionFeedbackResult,
  SuggestionList,
  SuggestionOutcome,
  TagChangeBody,
  TagLibrary,
  TagLibraryGroup,
  TimelineFilter,
  TimelineItem,
  TimelinePage,
  Task,
  TaskList,
} from './types';

// Shared with the console: the typed error, its guard, query strings and reading an answer.
export { ApiError, isErrorBody };

/** Where the browser is and how to leave it: window.location in the page, a fake in tests. */
export interface PageLocation {
  /** Path and query of the current page (no `#`), e.g. `/sidebar/?mock=1`. */
  current(): string;
  assign(url: string): void;
}

type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

export interface ApiClientOptions {
  fetch?: typeof fetch;
  location?: PageLocation;
  /** Where the last silent re-authentication is remembered; it must survive the redirect (sessionStorage). */
  storage?: KeyValueStore;
  now?: () => number;
}

/** A 401 sends the browser through OAuth again, but at most once in this window: a second 401 means it did not help. */
export const REAUTH_WINDOW_MS = 10_000;
export const REAUTH_STORAGE_KEY = 'scrm.sidebar.reauthAt';

/** Answers 200 exactly while the session cookie is valid. */
const SESSION_PROBE = '/api/me';

export function loginUrl(returnTo: string): string {
  return `/api/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
}

const seg = encodeURIComponent;

const browserLocation: PageLocation = {
  current: () => window.location.pathname + window.location.search,
  assign: (url) => window.location.assign(url),
};

/** sessionStorage can throw (storage disabled): fall back to memory, which still guards within this page. */
function safeSessionStorage(): KeyValueStore {
  const memory = new Map<string, string>();
  return {
    getItem(key) {
      try {
        return window.sessionStorage.getItem(key);
      } catch {
        return memory.get(key) ?? null;
      }
    },
    setItem(key, value) {
      try {
        window.sessionStorage.setItem(key, value);
      } catch {
        memory.set(key, value);
      }
    },
  };
}

/** The one API client of the sidebar: JSON over fetch, same-origin cookie session, typed errors, central 401. */
export function createApiClient(options: ApiClientOptions = {}) {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const location = options.location ?? browserLocation;
  const storage = options.storage ?? safeSessionStorage();
  const now = options.now ?? Date.now;
  let redirecting = false;

  /** Session gone: go through OAuth again (silently, WeCom answers at once) unless we just did. */
  function reauthenticate(): ApiError {
    if (redirecting) return new ApiError(401, 'reauthenticating', '正在重新登录…');
    const last = Number(storage.getItem(REAUTH_STORAGE_KEY) ?? 0);
    const t = now();
    if (last > 0 && t - last >= 0 && t - last < REAUTH_WINDOW_MS) {
      return new ApiError(401, 'session_expired', '登录已过期，请重新打开侧边栏');
    }
    storage.setItem(REAUTH_STORAGE_KEY, String(t));
    redirecting = true;
    location.assign(loginUrl(location.current()));
    return new ApiError(401, 'reauthenticating', '正在重新登录…');
  }

  async function sessionIsAlive(): Promise<boolean> {
    try {
      const probe = await doFetch(SESSION_PROBE, {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
      });
      return probe.ok;
    } catch {
      return false;
    }
  }

  async function request<T>(method: string, path: string, init: { query?: Query; body?: unknown } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
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
    if (response.status === 401) {
      // A trip through OAuth loses what the rep was typing: take it only when the session is really gone. A 401
      // from one endpoint while /api/me still answers means that endpoint wants another credential.
      if (path !== SESSION_PROBE && !redirecting && (await sessionIsAlive())) {
        throw new ApiError(401, 'not_permitted', '当前账号没有权限执行该操作，请联系管理员');
      }
      throw reauthenticate();
    }
    return readAnswer<T>(response, method);
  }

  const get = <T>(path: string, query?: Query) => request<T>('GET', path, { query });
  const send = <T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown) =>
    request<T>(method, path, { body });

  return {
    request,
    me: () => get<Me>(SESSION_PROBE),
    logout: () => send<void>('POST', '/api/auth/logout'),
    signatures: (url: string) => send<Signatures>('POST', '/api/jsapi/signatures', { url }),

    customers: (query: { q?: string; cursor?: string | null; limit?: number } = {}) =>
      get<CustomerList>('/api/customers', query),
    customer: (id: string) => get<CustomerCard>(`/api/customers/${seg(id)}`),
    patchCustomer: (id: string, body: CustomerPatchBody) =>
      send<CustomerCard>('PATCH', `/api/customers/${seg(id)}`, body),
    changeTags: (id: string, body: TagChangeBody) => send<CustomerCard>('PUT', `/api/customers/${seg(id)}/tags`, body),
    changeStage: (id: string, stageId: number) =>
      send<CustomerCard>('PUT', `/api/customers/${seg(id)}/stage`, { stageId }),
    stages: () => get<Stage[]>('/api/stages'),
    tagLibrary: async () => toTagLibraryGroups(await get<TagLibrary>('/api/tags')),

    timeline: (id: string, query: { filter?: TimelineFilter; cursor?: string | null; limit?: number }) =>
      get<TimelinePage>(`/api/customers/${seg(id)}/timeline`, query),
    addNote: (id: string, body: NoteBody) => send<TimelineItem>('POST', `/api/customers/${seg(id)}/notes`, body),
    editNote: (id: string, noteId: number, body: NotePatchBody) =>
      send<TimelineItem>('PATCH', `/api/customers/${seg(id)}/notes/${noteId}`, body),

    scriptGroups: () => get<ScriptGroup[]>('/api/script-groups'),
    scripts: (query: { q?: string; groupId?: number | null; favorites?: boolean; limit?: number; offset?: number }) =>
      get<ScriptList>('/api/scripts', { ...query, favorites: query.favorites ? 1 : undefined }),
    setFavorite: (scriptId: number, favorite: boolean) =>
      send<{ favorite: boolean }>(favorite ? 'POST' : 'DELETE', `/api/scripts/${scriptId}/favorite`),
    /** `feedbackKey`: the send answers a suggestion (the server records it as sent in the same step). */
    recordSend: (scriptId: number, externalUserId: string, feedbackKey?: string) =>
      send<ScriptSendResult>('POST', `/api/scripts/${scriptId}/sends`, { externalUserId, feedbackKey }),

    /** The rep's chat with the customer, newest page first; `cursor` reads the page before (older). */
    messages: (id: string, query: { cursor?: string | null; limit?: number } = {}) =>
      get<MessagePage>(`/api/customers/${seg(id)}/messages`, query),
    /** Records a text the rep sends from the sidebar; the answer carries the argument for sendChatMessage. */
    sendText: (id: string, text: string) => send<SentMessage>('POST', `/api/customers/${seg(id)}/messages`, { text }),
    /** For an EventSource (same origin, the session cookie goes along): what changes after `since`. */
    messageStreamUrl: (id: string, since: number) => withQuery(`/api/customers/${seg(id)}/messages/stream`, { since }),

    suggestions: (id: string) => get<SuggestionList>(`/api/customers/${seg(id)}/suggestions`),
    suggestionFeedback: (feedbackKey: string, outcome: SuggestionOutcome) =>
      send<SuggestionFeedbackResult>('POST', '/api/suggestions/feedback', { feedbackKey, outcome }),

    /** The rep's open tasks (one customer's with `externalUserId`) and the count of all of them. */
    tasks: (query: { externalUserId?: string; limit?: number } = {}) => get<TaskList>('/api/tasks', query),
    taskDone: (taskId: number) => send<Task>('POST', `/api/tasks/${taskId}/done`),
    snoozeTask: (taskId: number, minutes: number) => send<Task>('POST', `/api/tasks/${taskId}/snooze`, { minutes }),

    /**
     * Demo and tests only: the customer of the stand-in chat says something. The emulator archives it as WeCom
     * would, so it reaches the chat history (and the suggestions) through the real archive pull.
     */
    demoCustomerSays: (customerId: string, repUserId: string, text: string) =>
      send<{ msgid: string; seq: number }>('POST', '/emulator/_chat', { from: customerId, to: repUserId, text }),

    /** Demo and tests only: the emulator's members, for the mock chat window's rep picker. */
    demoReps: async () => normaliseDemoReps(await get<unknown>('/emulator/_state')),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The editor's view of `GET /api/tags`. */
export function toTagLibraryGroups(library: TagLibrary): TagLibraryGroup[] {
  return library.groups.map((g) => ({
    groupId: g.groupId,
    name: g.name,
    tags: g.tags.map((t) => ({ tagId: t.id, name: t.name })),
  }));
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** `/emulator/_state` is the emulator's own debugging view: take only the members from it. */
export function normaliseDemoReps(raw: unknown): DemoRep[] {
  const reps = raw && typeof raw === 'object' ? (raw as { reps?: unknown }).reps : undefined;
  return (Array.isArray(reps) ? reps : []).flatMap((r: unknown) => {
    if (!r || typeof r !== 'object') return [];
    const o = r as Record<string, unknown>;
    const userId = str(o.userid ?? o.userId);
    return userId ? [{ userId, name: str(o.name) || userId, position: str(o.position), avatar: str(o.avatar) }] : [];
  });
}

/** The page's client. Stores use it through this module so tests can replace `fetch` and `location`. */
export const api: ApiClient = createApiClient();
