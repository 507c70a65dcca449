import type { Database } from '../../db/database.js';
import { BadRequestError } from '../../errors.js';
import type { WorkCalendar } from '../../../shared/schemas/work-calendar.js';
import { DEFAULT_WEEKLY, type Calendar } from './calendar.js';
import type { WorkCalendarRepo } from './repo.js';

/**
 * The corp's working hours and holidays (set by an admin in the console): what reply-time figures, unanswered-message
 * nudges and digests count as working time. A corp that set nothing works Monday to Friday, 09:00–18:00 with lunch.
 */
export function createWorkCalendarService(deps: { db: Database; repo: WorkCalendarRepo; timeZone: string }) {
  /** The calendar to compute with. */
  async function calendar(corpId: string): Promise<Calendar> {
    const row = await deps.repo.find(deps.db, corpId);
    return { weekly: row?.weekly ?? DEFAULT_WEEKLY, exceptions: row?.exceptions ?? {}, timeZone: deps.timeZone };
  }

  /** The calendar as the console edits it. */
  async function get(corpId: string): Promise<WorkCalendar> {
    const { weekly, exceptions } = await calendar(corpId);
    return {
      weekly: weekly as WorkCalendar['weekly'],
      exceptions: Object.entries(exceptions)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([day, spans]) => ({ day, spans })),
    };
  }

  return {
    calendar,
    get,

    async save(corpId: string, input: WorkCalendar): Promise<WorkCalendar> {
      for (const [weekday, spans] of Object.entries(input.weekly)) checkSpans(spans, `weekly.${weekday}`);
      const exceptions: Record<string, WorkCalendar['weekly']['1']> = {};
      for (const [i, { day, spans }] of input.exceptions.entries()) {
        if (Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw new BadRequestError('日期无效', `exceptions.${i}.day`);
        if (exceptions[day]) throw new BadRequestError(`日期 ${day} 重复`, `exceptions.${i}.day`);
        checkSpans(spans, `exceptions.${i}.spans`);
        exceptions[day] = spans;
      }
      await deps.repo.save(deps.db, corpId, input.weekly, exceptions);
      return get(corpId);
    },
  };
}
export type WorkCalendarService = ReturnType<typeof createWorkCalendarService>;

/** Each span ends after it starts, and spans of one day neither overlap nor come out of order. */
function checkSpans(spans: { start: number; end: number }[], field: string): void {
  let previousEnd = -1;
  for (const [i, { start, end }] of spans.entries()) {
    if (end <= start) throw new BadRequestError('结束时间应晚于开始时间', `${field}.${i}.end`);
    if (start < previousEnd) throw new BadRequestError('时间段不能重叠，且应按时间先后排列', `${field}.${i}.start`);
    previousEnd = end;
  }
}
