import type { Kit } from '../kit.js';
import { timestampColumns, type CoreTables } from './core.js';

/** Working hours of one weekday: minutes since midnight in the corp's zone, [start, end). */
export interface WorkingSpan {
  start: number;
  end: number;
}

/** Corp-wide settings people change in the console. */
export function settingsTables(k: Kit, { corps }: CoreTables) {
  /**
   * The corp's working calendar: weekly hours (ISO weekday 1..7 → spans) and dated exceptions (holidays off, make-up
   * working days on), in the corp's time zone. Reply-time figures and nudges count working time only.
   */
  const workCalendars = k.table('work_calendars', {
    corpId: k
      .text('corp_id')
      .primaryKey()
      .references(() => corps.corpId),
    weekly: k.json<Record<string, WorkingSpan[]>>('weekly').notNull(),
    /** `YYYY-MM-DD` → spans that day (an empty list: a day off). */
    exceptions: k.json<Record<string, WorkingSpan[]>>('exceptions').notNull().default({}),
    ...timestampColumns(k),
  });
  return { workCalendars };
}
