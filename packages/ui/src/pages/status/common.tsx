/** Pieces the status pages share: tabs, label chips, loading once, relative times. */
import { useEffect, useState } from 'preact/hooks';
import type { LabelSet } from './api.ts';
import './status.css';

const TABS = [
  { href: '/status', label: 'Runtime & build' },
  { href: '/status/tsdb', label: 'TSDB' },
  { href: '/status/config', label: 'Configuration' },
  { href: '/status/flags', label: 'Flags' },
];

export function StatusTabs({ current }: { current: string }) {
  return (
    <nav class="status-tabs" aria-label="Status">
      {TABS.map((tab) => (
        <a key={tab.href} href={tab.href} class={tab.href === current ? 'selected' : ''} aria-current={tab.href === current ? 'page' : undefined}>
          {tab.label}
        </a>
      ))}
    </nav>
  );
}

export function Labels({ labels }: { labels: LabelSet }) {
  return (
    <span class="status-labels">
      {Object.keys(labels)
        .sort()
        .map((name) => (
          <span key={name} class="status-label">
            {name}="{labels[name]}"
          </span>
        ))}
    </span>
  );
}

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** Loads once per change of `keys` (and on `reload`), aborting the previous request. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, keys: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    load(controller.signal)
      .then((value) => {
        setData(value);
        setError(null);
      })
      .catch((failure: Error) => failure.name !== 'AbortError' && setError(failure.message))
      .finally(() => !controller.signal.aborted && setLoading(false));
    return () => controller.abort();
  }, [...keys, tick]);
  return { data, error, loading, reload: () => setTick((value) => value + 1) };
}

export function ago(iso: string, now = Date.now()): string {
  const time = Date.parse(iso);
  if (!Number.isFinite(time) || time <= 0) return 'never';
  const seconds = Math.max(0, (now - time) / 1000);
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${Math.floor(seconds % 60)}s ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m ago`;
  return `${Math.floor(seconds / 86400)}d ${Math.floor((seconds % 86400) / 3600)}h ago`;
}

export function formatSeconds(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (value < 1) return `${(value * 1000).toFixed(value < 0.01 ? 2 : 1)}ms`;
  return `${value.toFixed(2)}s`;
}

export function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let size = value;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${unit === 0 ? size : size.toFixed(1)} ${units[unit]}`;
}
