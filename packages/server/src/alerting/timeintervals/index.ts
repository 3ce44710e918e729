/** Alertmanager's time intervals: parsing `time_intervals` entries and checking whether they are active. */
export { TimeIntervalSet, anyContains, containsTime, isActive } from './contains.ts';
export {
  TimeIntervalError,
  parseDayOfMonthRange,
  parseLocation,
  parseMonthRange,
  parseTimeInterval,
  parseTimeRange,
  parseWeekdayRange,
  parseYearRange,
} from './parse.ts';
export type { RawTimeInterval } from './parse.ts';
export type { InclusiveRange, MinuteRange, TimeInterval } from './types.ts';
