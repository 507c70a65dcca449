// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import {
  displayTimeZone,
  formatDate,
  formatDateTime,
  formatRelative,
  fromLocalInput,
  setDisplayTimeZone,
  toLocalInput,
} from '../../../sidebar/src/lib/format';
import { useSessionStore } from '../../../sidebar/src/stores/session';
import { fakeFetch } from './fake-fetch';

const utc = (iso: string) => Date.parse(`${iso}Z`);

afterEach(() => {
  setDisplayTimeZone(null);
  vi.unstubAllGlobals();
});

describe('sidebar times are shown on the corp clocks', () => {
  it('a customer added at 00:34 Shanghai time shows that Shanghai date and time, whatever the browser zone', () => {
    const added = utc('2024-06-14T16:34:00');
    setDisplayTimeZone('Asia/Shanghai');
    expect(formatDate(added)).toBe('2024-06-15');
    expect(formatDateTime(added)).toBe('2024-06-15 00:34');
    setDisplayTimeZone('America/New_York');
    expect(formatDateTime(added)).toBe('2024-06-14 12:34');
  });

  it('"今天" and "昨天" are days of the corp zone, also across a DST change', () => {
    setDisplayTimeZone('Asia/Shanghai');
    const now = utc('2024-06-15T02:00:00'); // 10:00 on the 15th in Shanghai (02:00 on the 15th in UTC)
    expect(formatRelative(utc('2024-06-14T16:34:00'), now)).toBe('今天 00:34');
    expect(formatRelative(utc('2024-06-14T15:59:00'), now)).toBe('昨天 23:59');
    expect(formatRelative(utc('2024-06-13T15:59:00'), now)).toBe('6月13日 23:59');
    expect(formatRelative(utc('2023-12-31T15:00:00'), now)).toBe('2023-12-31 23:00');
    expect(formatRelative(now - 30_000, now)).toBe('刚刚');
    expect(formatRelative(now - 5 * 60_000, now)).toBe('5 分钟前');

    // New York, the morning after the fall-back night (a 25-hour day): 00:30 EDT on the 3rd is yesterday.
    setDisplayTimeZone('America/New_York');
    const morning = utc('2024-11-04T14:00:00'); // 09:00 EST on the 4th
    expect(formatRelative(utc('2024-11-03T04:30:00'), morning)).toBe('昨天 00:30');
    expect(formatRelative(utc('2024-11-04T04:59:00'), morning)).toBe('昨天 23:59');
    expect(formatRelative(utc('2024-11-04T05:00:00'), morning)).toBe('今天 00:00');
  });

  it('a due date typed into the datetime input is read on the corp clocks and shown back the same', () => {
    setDisplayTimeZone('Asia/Shanghai');
    expect(fromLocalInput('2030-06-21T10:00')).toBe(utc('2030-06-21T02:00:00'));
    expect(toLocalInput(utc('2030-06-21T02:00:00'))).toBe('2030-06-21T10:00');
    expect(toLocalInput(null)).toBe('');
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('2030-13-01T10:00')).toBeNull();
    expect(fromLocalInput('not a date')).toBeNull();
  });

  it('uses the browser zone until the corp zone is known, and ignores an unknown zone', () => {
    const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(displayTimeZone()).toBe(browser);
    setDisplayTimeZone('Asia/Shanghai');
    expect(displayTimeZone()).toBe('Asia/Shanghai');
    setDisplayTimeZone('Mars/Olympus_Mons');
    expect(displayTimeZone()).toBe(browser);
  });

  it('takes the corp zone from GET /api/me when the session loads', async () => {
    setActivePinia(createPinia());
    const me = {
      userId: 'lina',
      name: '李娜',
      avatar: '',
      position: '',
      corpId: 'ww1',
      agentId: 1,
      demo: true,
      timeZone: 'America/New_York',
    };
    const { fetch } = fakeFetch({ 'GET /api/me': () => ({ body: me }) });
    vi.stubGlobal('fetch', fetch);
    await useSessionStore().load();
    expect(displayTimeZone()).toBe('America/New_York');
  });
});
