/**
 * Grafana-style time controls: a range button opening quick ranges and from/to fields (relative
 * `now-6h` or absolute `2026-01-02 10:00:00`), zoom out, refresh now and auto refresh.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeRange, formatTimestamp, parseTime, quickRanges, refreshIntervals, resolveRange } from './format/time.ts';
import type { RawTimeRange, TimeRange, TimeZone } from './format/time.ts';
import { useDismiss } from './use-dismiss.ts';

export interface TimeRangePickerProps {
  raw: RawTimeRange;
  resolved: TimeRange | null;
  onChange: (raw: RawTimeRange) => void;
  /** '' when off. */
  refresh: string;
  onRefreshChange: (refresh: string) => void;
  onRefreshNow: () => void;
  now: () => number;
  /** The dashboard's time zone for absolute times (browser by default). */
  timeZone?: TimeZone;
}

export function TimeRangePicker(props: TimeRangePickerProps) {
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState(props.raw.from);
  const [to, setTo] = useState(props.raw.to);
  const [error, setError] = useState<string | null>(null);
  const anchor = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setFrom(props.raw.from);
    setTo(props.raw.to);
    setError(null);
  }, [props.raw.from, props.raw.to, open]);

  useDismiss(open, anchor, () => setOpen(false));

  const apply = (event: Event) => {
    event.preventDefault();
    const now = props.now();
    const timeZone = props.timeZone ?? 'browser';
    if (parseTime(from, now, false, timeZone) === null) return setError(`"From" is not a time: use now-6h, now-1d/d, an epoch in ms or 2026-01-02 10:00:00`);
    if (parseTime(to, now, true, timeZone) === null) return setError(`"To" is not a time: use now, now-1h, an epoch in ms or 2026-01-02 10:00:00`);
    if (!resolveRange({ from, to }, now, timeZone)) return setError('"From" must be before "To"');
    props.onChange({ from: from.trim(), to: to.trim() });
    setOpen(false);
  };

  const zoomOut = () => {
    if (!props.resolved) return;
    const { fromMs, toMs } = props.resolved;
    const span = toMs - fromMs;
    const now = props.now();
    const relative = props.raw.to === 'now';
    const newTo = Math.min(now, toMs + span / 2);
    const newFrom = newTo - span * 2;
    const relativeFrom = /^now-(\d+)([smhdwMy])$/.exec(props.raw.from);
    if (relative && relativeFrom) props.onChange({ from: `now-${Number(relativeFrom[1]) * 2}${relativeFrom[2]}`, to: 'now' });
    else props.onChange({ from: String(Math.round(newFrom)), to: String(Math.round(newTo)) });
  };

  return (
    <div class="time-controls">
      <div class="popover-anchor" ref={anchor}>
        <button type="button" class="time-range-button" aria-haspopup="dialog" aria-expanded={open} onClick={() => setOpen(!open)} title={props.resolved ? `${formatTimestamp(props.resolved.fromMs, props.timeZone)} to ${formatTimestamp(props.resolved.toMs, props.timeZone)}` : ''}>
          {describeRange(props.raw, props.resolved, props.timeZone)}
        </button>
        {open ? (
          <div class="popover time-popover" role="dialog" aria-label="Time range">
            <form class="time-absolute" onSubmit={apply}>
              <label>
                From
                <input name="from" value={from} onInput={(event) => setFrom((event.target as HTMLInputElement).value)} spellcheck={false} />
              </label>
              <label>
                To
                <input name="to" value={to} onInput={(event) => setTo((event.target as HTMLInputElement).value)} spellcheck={false} />
              </label>
              {error ? <div class="error-box">{error}</div> : null}
              <button type="submit" class="primary">
                Apply time range
              </button>
            </form>
            <div class="time-quick">
              {quickRanges.map((range) => (
                <button
                  type="button"
                  key={range.label}
                  class={range.from === props.raw.from && range.to === props.raw.to ? 'selected' : ''}
                  onClick={() => {
                    props.onChange({ from: range.from, to: range.to });
                    setOpen(false);
                  }}
                >
                  {range.label}
                </button>
              ))}
            </div>
          </div>
        ) : null}
      </div>
      <button type="button" title="Zoom out (twice the range)" aria-label="Zoom out" onClick={zoomOut}>
        ⊖
      </button>
      <div class="button-group">
        <button type="button" title="Refresh now" aria-label="Refresh now" onClick={props.onRefreshNow}>
          ↻
        </button>
        <select aria-label="Auto refresh" value={props.refresh} onChange={(event) => props.onRefreshChange((event.target as HTMLSelectElement).value)}>
          <option value="">Off</option>
          {refreshIntervals.map((interval) => (
            <option key={interval} value={interval}>
              {interval}
            </option>
          ))}
          {props.refresh !== '' && !refreshIntervals.includes(props.refresh) ? <option value={props.refresh}>{props.refresh}</option> : null}
        </select>
      </div>
    </div>
  );
}
