import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, ApiError } from '../api/client';
import type { ConsoleMe, ConsoleRole } from '../api/types';
import { setDisplayTimeZone } from '../lib/format';

export const SESSION_EXPIRED_MESSAGE = '登录已过期，请重新登录';

/**
 * Who is signed in to the console (`GET /api/console/me`), and the ways in and out. The API client reports a 401
 * anywhere; `expire()` then forgets the user and leaves a message for the sign-in page.
 */
export const useSessionStore = defineStore('session', () => {
  const me = ref<ConsoleMe | null>(null);
  /** unknown until the first `/api/console/me` answered. */
  const status = ref<'unknown' | 'signed-in' | 'signed-out'>('unknown');
  /** Shown once on the sign-in page: why the user is there (session ended, signed out). */
  const notice = ref('');

  const role = computed<ConsoleRole | null>(() => me.value?.user.role ?? null);
  const isAdmin = computed(() => role.value === 'admin');

  function signedIn(value: ConsoleMe) {
    me.value = value;
    status.value = 'signed-in';
    notice.value = '';
    setDisplayTimeZone(value.timeZone);
    api.resetExpiry();
  }

  /** Asks the server who this is; a 401 means nobody (any other failure is thrown for the page to show). */
  async function load(): Promise<ConsoleMe | null> {
    try {
      signedIn(await api.me());
      return me.value;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        me.value = null;
        status.value = 'signed-out';
        return null;
      }
      throw err;
    }
  }

  async function login(username: string, password: string): Promise<ConsoleMe> {
    const value = await api.login({ username: username.trim(), password });
    signedIn(value);
    return value;
  }

  async function logout(): Promise<void> {
    try {
      await api.logout();
    } catch (err) {
      // Already ended (401) or unreachable: the page forgets the user either way.
      if (!(err instanceof ApiError)) throw err;
    }
    me.value = null;
    status.value = 'signed-out';
    notice.value = '已退出登录';
  }

  /** The server answered 401: the session ended (idle, absolute expiry, signed out elsewhere, account disabled). */
  function expire(message = SESSION_EXPIRED_MESSAGE) {
    if (status.value === 'signed-in') notice.value = message;
    me.value = null;
    status.value = 'signed-out';
  }

  /** The user's own password is set: no more forced change. */
  function passwordChanged() {
    if (me.value) me.value = { ...me.value, user: { ...me.value.user, mustChangePassword: false } };
  }

  function allows(roles: readonly ConsoleRole[] | undefined): boolean {
    if (!roles || roles.length === 0) return status.value === 'signed-in';
    return role.value !== null && roles.includes(role.value);
  }

  return { me, status, notice, role, isAdmin, load, login, logout, expire, passwordChanged, allows };
});
