import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { App } from '../../server/app.js';
import { EmulatorClock } from '../../server/emulator/clock.js';
import { dayInZone, wallTime } from '../../shared/time-zone.js';
import { fixedClock, startAt, type TestClock } from './automations.js';
import { CORP, settled, simulate } from './scrm.js';

/**
 * Helpers for the dashboards' figures test: a corp-time calendar (Asia/Shanghai), one clock that moves the app and
 * the emulator (WeCom's CreateTime) together, WeCom events played in order, and CSV reading.
 */

const ZONE = 'Asia/Shanghai';
const DAY_MS = 86_400_000;

/** `day` (YYYY-MM-DD) plus `n` calendar days. */
export function plusDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The moment of `hh:mm[:ss]` on `day`, Asia/Shanghai (UTC+8 all year, no daylight saving). */
export function corpTime(day: string, hhmm: string): number {
  return Date.parse(`${day}T${hhmm.length === 5 ? `${hhmm}:00` : hhmm}+08:00`);
}

/**
 * The Monday (corp zone) of the week 13 weeks ago: the dataset's days lie in the past (the worker runs work due by
 * the real clock), the last of them (D45) still over a month ago.
 */
export function pastMonday(): string {
  let day = plusDays(dayInZone(Date.now(), ZONE), -91);
  while (wallTime(corpTime(day, '12:00'), ZONE).weekday !== 1) day = plusDays(day, -1);
  return day;
}

/** The app and the emulator (WeCom's CreateTime, welcome codes, tokens) on one clock the test moves. */
export class Scene {
  private constructor(
    readonly app: App,
    readonly clock: TestClock,
  ) {}

  static async start(firstMoment: number): Promise<Scene> {
    const clock = fixedClock(new Date(firstMoment).toISOString());
    const app = await startAt(clock);
    // The emulator keeps real time (plus forward moves); here it reads the test's clock, as the app does.
    (app.emulator!.core as { clock: EmulatorClock }).clock = new EmulatorClock(clock.now);
    return new Scene(app, clock);
  }

  /** Moves the clock to `ms` (WeCom's CreateTime of the next event is `ms`, to the second). */
  at(ms: number): void {
    this.clock.set(new Date(ms).toISOString());
  }

  /** A customer scans a channel code (or is added); waits for the event and the jobs it caused. */
  async add(
    ms: number,
    input: { userId: string; state?: string; externalUserId?: string; name?: string; welcomeCode?: boolean },
  ): Promise<string> {
    this.at(ms);
    const { externalUserId } = await simulate(this.app, { changeType: 'add_external_contact', ...input });
    await settled(this.app, externalUserId);
    return externalUserId;
  }

  /** The customer deletes the rep (del_follow_user) or the rep deletes the customer (del_external_contact). */
  async lose(ms: number, by: 'customer' | 'rep', userId: string, externalUserId: string): Promise<void> {
    this.at(ms);
    await simulate(this.app, {
      changeType: by === 'customer' ? 'del_follow_user' : 'del_external_contact',
      userId,
      externalUserId,
    });
    await settled(this.app, externalUserId);
  }

  /**
   * The night after `day` as the nightly job plans it (server/modules/dashboards/jobs.ts): at 00:40 it rolls up
   * yesterday, the two days before, and the days whose 7- and 30-day windows have just closed (8 and 31 days back).
   */
  async night(after: string, firstDay: string): Promise<void> {
    const today = plusDays(after, 1);
    this.at(corpTime(today, '00:40'));
    for (const back of [31, 8, 3, 2, 1]) {
      const day = plusDays(today, -back);
      if (day >= firstDay) await this.app.modules.dashboards.rollup.rollUp(CORP, day);
    }
  }
}

/**
 * A 1:1 text message as the chat archive's puller stores it (the message store: its conversation created or
 * advanced, the last customer message kept, the timeline's message item).
 */
export async function archived(
  app: App,
  m: { userId: string; externalUserId: string; from: 'customer' | 'rep'; text: string; at: number },
): Promise<void> {
  const customer = m.from === 'customer';
  await app.db.tx((tx) =>
    app.modules.messages.store.storeBatch(tx, CORP, [
      {
        msgid: `dashboard-${randomUUID()}`,
        seq: null,
        action: 'send',
        sender: customer ? m.externalUserId : m.userId,
        receivers: [customer ? m.userId : m.externalUserId],
        roomId: null,
        sentAt: m.at,
        type: 'text',
        text: m.text,
        searchText: m.text,
        content: { content: m.text },
        source: 'archive',
        conversation: {
          key: `single:${m.userId}:${m.externalUserId}`,
          kind: 'single',
          userId: m.userId,
          externalUserId: m.externalUserId,
          roomId: null,
        },
        userId: m.userId,
        externalUserId: m.externalUserId,
        direction: customer ? 'customer_to_rep' : 'rep_to_customer',
        media: [],
        recalls: null,
        consent: null,
      },
    ]),
  );
}

/** A CSV answer as rows of cells (BOM removed), header first. */
export function csvRows(body: string): string[][] {
  return parse(body.replace(/^\uFEFF/, ''), { relaxColumnCount: false }) as string[][];
}
