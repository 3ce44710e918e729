/** Pieces the alerting pages share: the tab bar, label chips, relative times and polling. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { LabelSet } from './api.ts';
import './alerting.css';

const TABS = [
  { href: '/alerting', label: 'Alerts' },
  { href: '/alerting/rules', label: 'Rules' },
  { href: '/alerting/silences', label: 'Silences' },
  { href: '/alerting/history', label: 'History' },
];

export function AlertingTabs({ current }: { current: string }) {
  return (
    <nav class="alerting-tabs" aria-label="Alerting">
      {TABS.map((tab) => (
        <a key={tab.href} href={tab.href} class={tab.href === current ? 'selected' : ''} aria-current={tab.href === current ? 'page' : undefined}>
          {tab.label}
        </a>
      ))}
    </nav>
  );
}

/** Label pairs as chips; `emphasis` names are drawn first and stronger (alertname, severity). */
export function LabelChips({ labels, skip = [], onPick }: { labels: LabelSet; skip?: string[]; onPick?: (name: string, value: string) => void }) {
  const names = Object.keys(labels)
    .filter((name) => !skip.includes(name))
    .sort((a, b) => (a === 'alertname' ? -1 : b === 'alertname' ? 1 : a.localeCompare(b)));
  return (
    <span class="alert-labels">
      {names.map((name) =>
        onPick ? (
          <button key={name} type="button" class="alert-label" title="Filter by this label" onClick={() => onPick(name, labels[name])}>
            {name}="{labels[name]}"
          </button>
        ) : (
          <span key={name} class="alert-label">
            {name}="{labels[name]}"
          </span>
        ),
      )}
    </span>
  );
}

/** "3m 20s ago" / "in 2h" for an RFC 3339 time. */
export function relativeTime(iso: string, now = Date.now()): string {
  const time = Date.parse(iso);
  if (!Number.isFinite(time) || time <= 0) return 'never';
  const delta = time - now;
  const text = formatSpan(Math.abs(delta));
  return delta > 0 ? `in ${text}` : `${text} ago`;
}

export function formatSpan(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let seconds = Math.floor(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (seconds >= size || (unit === 's' && parts.length === 0)) {
      parts.push(`${Math.floor(seconds / size)}${unit}`);
      seconds %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

export function localTime(iso: string): string {
  const time = Date.parse(iso);
  if (!Number.isFinite(time)) return iso;
  const date = new Date(time);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export interface Polled<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  refresh: () => void;
}

/**
 * Loads `load()` now, again every `intervalMs` (paused while the tab is hidden) and whenever `keys`
 * change; an older answer never overwrites a newer one.
 */
export function usePolling<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number, keys: unknown[]): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  useEffect(() => {
    const controller = new AbortController();
    const mine = ++generation.current;
    setLoading(true);
    load(controller.signal)
      .then((value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
      })
      .catch((failure: Error) => {
        if (mine !== generation.current || failure.name === 'AbortError') return;
        setError(failure.message);
      })
      .finally(() => mine === generation.current && setLoading(false));
    return () => controller.abort();
  }, [...keys, tick]);
  useEffect(() => {
    if (intervalMs <= 0) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((value) => value + 1);
    }, intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return { data, error, loading, refresh: () => setTick((value) => value + 1) };
}
