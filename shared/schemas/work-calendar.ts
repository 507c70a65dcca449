import { Type, type Static } from 'typebox';
import { InputObject, PatternString } from './common.js';

/** Minutes since midnight in the corp's time zone, [start, end). */
export const WorkingSpan = InputObject({
  start: Type.Integer({ minimum: 0, maximum: 1440 }),
  end: Type.Integer({ minimum: 0, maximum: 1440 }),
});
export type WorkingSpan = Static<typeof WorkingSpan>;

const Spans = Type.Array(WorkingSpan, { maxItems: 6 });
const Day = PatternString('^\\d{4}-\\d{2}-\\d{2}$', '应为 YYYY-MM-DD 格式的日期');

/** The corp's working calendar: hours per ISO weekday (1 Monday … 7 Sunday), and dated exceptions. */
export const WorkCalendar = InputObject({
  weekly: InputObject({
    '1': Spans,
    '2': Spans,
    '3': Spans,
    '4': Spans,
    '5': Spans,
    '6': Spans,
    '7': Spans,
  }),
  /** Holidays (an empty list: a day off) and make-up working days (their hours), by corp-zone date. */
  exceptions: Type.Array(InputObject({ day: Day, spans: Spans }), { maxItems: 400 }),
});
export type WorkCalendar = Static<typeof WorkCalendar>;
