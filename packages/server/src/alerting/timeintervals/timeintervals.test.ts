import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawTimeInterval, TimeInterval } from './index.ts';
import { TimeIntervalError, TimeIntervalSet, containsTime, isActive, parseTimeInterval } from './index.ts';

const at = (iso: string): number => Date.parse(iso);

describe('parseTimeInterval', () => {
  it('parses every field', () => {
    const interval = parseTimeInterval({
      times: [{ start_time: '09:00', end_time: '17:30' }, { start_time: '23:00', end_time: '24:00' }],
      weekdays: ['monday:friday', 'Sunday'],
      days_of_month: ['1:5', '-3:-1'],
      months: ['january:march', '12'],
      years: ['2020:2030'],
      location: 'Europe/Berlin',
    });
    assert.deepEqual(interval, {
      times: [
        { startMinute: 540, endMinute: 1050 },
        { startMinute: 1380, endMinute: 1440 },
      ],
      weekdays: [
        { begin: 1, end: 5 },
        { begin: 0, end: 0 },
      ],
      daysOfMonth: [
        { begin: 1, end: 5 },
        { begin: -3, end: -1 },
      ],
      months: [
        { begin: 1, end: 3 },
        { begin: 12, end: 12 },
      ],
      years: [{ begin: 2020, end: 2030 }],
      location: 'Europe/Berlin',
    });
  });

  const errors: [RawTimeInterval, string, string][] = [
    [{ times: [{ start_time: '09:00' }] }, 'times', 'both start and end times must be provided'],
    [{ times: [{ start_time: '9:00', end_time: '10:00' }] }, 'times', "couldn't parse timestamp 9:00, invalid format"],
    [{ times: [{ start_time: '10:00', end_time: '10:00' }] }, 'times', 'start time cannot be equal or greater than end time'],
    [{ times: [{ start_time: '10:00', end_time: '24:01' }] }, 'times', "couldn't parse timestamp 24:01, invalid format"],
    [{ weekdays: ['funday'] }, 'weekdays', 'funday is not a valid weekday'],
    [{ weekdays: ['friday:monday'] }, 'weekdays', 'start day cannot be before end day'],
    [{ weekdays: ['monday:tuesday:friday'] }, 'weekdays', "couldn't parse range monday:tuesday:friday, invalid format"],
    [{ days_of_month: ['0'] }, 'days_of_month', '0 is not a valid day of the month: out of range'],
    [{ days_of_month: ['32'] }, 'days_of_month', '32 is not a valid day of the month: out of range'],
    [{ days_of_month: ['-1:5'] }, 'days_of_month', 'end day must be negative if start day is negative'],
    [{ days_of_month: ['10:2'] }, 'days_of_month', 'end day 2 is always before start day 10'],
    [{ days_of_month: ['-1:-3'] }, 'days_of_month', 'end day -3 is always before start day -1'],
    [{ months: ['smarch'] }, 'months', 'smarch is not a valid month'],
    [{ months: ['march:january'] }, 'months', 'end month january is before start month march'],
    [{ years: ['2030:2020'] }, 'years', 'end year 2020 is before start year 2030'],
    [{ location: 'Mars/Olympus_Mons' }, 'location', 'unknown time zone Mars/Olympus_Mons'],
  ];
  for (const [raw, field, message] of errors) {
    it(`refuses ${JSON.stringify(raw)}`, () => {
      assert.throws(
        () => parseTimeInterval(raw),
        (error: unknown) => error instanceof TimeIntervalError && error.field === field && error.message === message,
      );
    });
  }
});

describe('containsTime', () => {
  const cases: [string, RawTimeInterval, string, boolean][] = [
    ['empty interval is always', {}, '2024-05-01T12:00:00Z', true],
    ['inside times', { times: [{ start_time: '09:00', end_time: '17:00' }] }, '2024-05-01T09:00:00Z', true],
    ['end is exclusive', { times: [{ start_time: '09:00', end_time: '17:00' }] }, '2024-05-01T17:00:00Z', false],
    ['until midnight', { times: [{ start_time: '23:00', end_time: '24:00' }] }, '2024-05-01T23:59:59Z', true],
    ['weekday range', { weekdays: ['monday:friday'] }, '2024-05-03T12:00:00Z', true],
    ['weekend outside', { weekdays: ['monday:friday'] }, '2024-05-04T12:00:00Z', false],
    ['last day of month', { days_of_month: ['-1'] }, '2024-02-29T12:00:00Z', true],
    ['not the last day', { days_of_month: ['-1'] }, '2024-02-28T12:00:00Z', false],
    ['last three days', { days_of_month: ['-3:-1'] }, '2023-02-26T00:00:00Z', true],
    ['day beyond a short month does not apply', { days_of_month: ['30:31'] }, '2023-02-28T12:00:00Z', false],
    ['mixed positive and negative end', { days_of_month: ['25:-1'] }, '2023-04-30T12:00:00Z', true],
    ['month names', { months: ['may:june'] }, '2024-06-30T23:59:00Z', true],
    ['years', { years: ['2023'] }, '2024-01-01T00:00:00Z', false],
    ['all fields must hold', { weekdays: ['saturday', 'sunday'], months: ['may'] }, '2024-05-04T10:00:00Z', true],
    ['all fields must hold (month fails)', { weekdays: ['saturday', 'sunday'], months: ['june'] }, '2024-05-04T10:00:00Z', false],
    // 07:30 UTC is 09:30 in Berlin in summer.
    ['location shifts the clock', { times: [{ start_time: '09:00', end_time: '10:00' }], location: 'Europe/Berlin' }, '2024-07-01T07:30:00Z', true],
    ['location shifts the clock (winter)', { times: [{ start_time: '09:00', end_time: '10:00' }], location: 'Europe/Berlin' }, '2024-01-15T07:30:00Z', false],
    // 02:00 UTC on Saturday is still Friday evening in New York.
    ['location shifts the weekday', { weekdays: ['friday'], location: 'America/New_York' }, '2024-05-04T02:00:00Z', true],
    ['explicit empty list never matches', { times: [] }, '2024-05-01T12:00:00Z', false],
  ];
  for (const [name, raw, time, expected] of cases) {
    it(name, () => assert.equal(containsTime(parseTimeInterval(raw), at(time)), expected));
  }
});

describe('TimeIntervalSet', () => {
  const intervals = new Map<string, TimeInterval[]>([
    ['business-hours', [parseTimeInterval({ weekdays: ['monday:friday'], times: [{ start_time: '09:00', end_time: '17:00' }] })]],
    ['weekends', [parseTimeInterval({ weekdays: ['saturday'] }), parseTimeInterval({ weekdays: ['sunday'] })]],
  ]);
  const set = new TimeIntervalSet(intervals);

  it('names the active intervals', () => {
    assert.deepEqual(set.activeNames(['business-hours', 'weekends'], at('2024-05-05T10:00:00Z')), ['weekends']);
    assert.deepEqual(set.activeNames(['business-hours', 'weekends'], at('2024-05-06T10:00:00Z')), ['business-hours']);
    assert.equal(set.isActive('weekends', at('2024-05-06T10:00:00Z')), false);
    assert.equal(isActive('weekends', at('2024-05-04T10:00:00Z'), set), true);
    assert.equal(isActive(intervals.get('business-hours') ?? [], at('2024-05-06T08:59:00Z')), false);
  });

  it('refuses unknown names', () => {
    assert.throws(() => set.isActive('holidays', 0), { message: "time interval holidays doesn't exist in config" });
  });
});
