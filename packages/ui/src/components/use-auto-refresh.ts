import { useEffect, useRef } from 'preact/hooks';
import { parseInterval } from './format/time.ts';

/** The shortest auto-refresh honoured; a shorter or zero setting (a hand-edited URL) means off. */
const MINIMUM_REFRESH_MS = 1000;

/**
 * Calls `onRefresh` every `refresh` (a Grafana interval such as `30s`; '' is off), skipped while the
 * tab is hidden. Used by dashboards and Explore, whose time pickers set the same refresh values.
 */
export function useAutoRefresh(refresh: string, onRefresh: () => void): void {
  const latest = useRef(onRefresh);
  latest.current = onRefresh;
  useEffect(() => {
    const intervalMs = parseInterval(refresh);
    if (intervalMs === null || intervalMs < MINIMUM_REFRESH_MS) return;
    const timer = setInterval(() => {
      if (!document.hidden) latest.current();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [refresh]);
}
