import cron, { type ScheduledTask } from 'node-cron';
import { wallTime } from '../../shared/time-zone.js';
import type { Database } from '../db/database.js';
import type { JobService } from '../modules/jobs/service.js';
import type { CronEntry } from '../modules/manifest.js';

const pad = (n: number) => String(n).padStart(2, '0');

/** The period a moment falls in, on the corp's clocks: `2026-12-06`, `2026-12-06T09` or `2026-12-06T09:30`. */
export function periodKey(ms: number, period: CronEntry['period'], timeZone: string): string {
  const t = wallTime(ms, timeZone);
  const day = `${t.year}-${pad(t.month)}-${pad(t.day)}`;
  if (period === 'day') return day;
  if (period === 'hour') return `${day}T${pad(t.hour)}`;
  return `${day}T${pad(t.hour)}:${pad(t.minute)}`;
}

export interface Scheduler {
  /** Creates the cron tasks (started) and enqueues the entries that run at start. */
  start(): Promise<void>;
  stop(): void;
  /** Enqueues an entry's job for the period of `at` for every corp, as its cron tick does (tests, manual runs). */
  fire(name: string, at?: number): Promise<void>;
}

/**
 * node-cron owned by the app's lifecycle: tasks are created when the app is ready and stopped on close. A tick only
 * enqueues the entry's durable job for each corp, keyed `<name>:<period>`, so every instance can run the same cron
 * and the work still happens once per period; the job runs on whichever instance claims it.
 */
export function createScheduler(deps: {
  entries: CronEntry[];
  db: Database;
  jobs: Pick<JobService, 'enqueue'>;
  corpIds: () => string[];
  timeZone: string;
  now: () => number;
  log: { error(obj: object, msg: string): void };
}): Scheduler {
  const tasks: ScheduledTask[] = [];
  const byName = new Map(deps.entries.map((e) => [e.name, e]));

  async function enqueue(entry: CronEntry, at: number): Promise<void> {
    const period = periodKey(at, entry.period, deps.timeZone);
    for (const corpId of deps.corpIds()) {
      try {
        await deps.jobs.enqueue(deps.db, entry.job, { period }, { corpId, dedupeKey: `${entry.name}:${period}` });
      } catch (err) {
        deps.log.error({ err, cron: entry.name, corpId }, 'could not enqueue a scheduled job');
      }
    }
  }

  return {
    async start() {
      for (const entry of deps.entries) {
        tasks.push(
          cron.schedule(entry.schedule, () => enqueue(entry, deps.now()), {
            name: entry.name,
            timezone: deps.timeZone,
          }),
        );
      }
      for (const entry of deps.entries) if (entry.atStart) await enqueue(entry, deps.now());
    },
    stop() {
      for (const task of tasks) void task.stop();
      tasks.length = 0;
    },
    async fire(name, at = deps.now()) {
      const entry = byName.get(name);
      if (!entry) throw new Error(`no scheduled entry named ${name}`);
      await enqueue(entry, at);
    },
  };
}
