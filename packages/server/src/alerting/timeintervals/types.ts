/**
 * A time interval as alertmanager.yml writes it (timeinterval.TimeInterval), after parsing. An absent
 * list means "any"; a list written empty (`times: []`) matches nothing, as in Alertmanager. Ranges are
 * inclusive except times, whose end minute is exclusive.
 */
export interface MinuteRange {
  /** Minutes since midnight, 0…1440. */
  startMinute: number;
  /** Exclusive, 0…1440. */
  endMinute: number;
}

/** An inclusive range of integers: weekdays 0 (Sunday)…6, days of month ±1…31, months 1…12, years. */
export interface InclusiveRange {
  begin: number;
  end: number;
}

export interface TimeInterval {
  times?: MinuteRange[];
  weekdays?: InclusiveRange[];
  /** Negative days count from the end of the month (-1: last day). */
  daysOfMonth?: InclusiveRange[];
  months?: InclusiveRange[];
  years?: InclusiveRange[];
  /** IANA zone name (`Local` and `UTC` included); undefined: UTC. */
  location?: string;
}
