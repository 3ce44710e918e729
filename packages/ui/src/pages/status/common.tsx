/** Pieces the status pages share: tabs, label chips, relative times, sizes and durations. */
import { LabelChips, byCodeUnit } from '../../components/label-chips.tsx';
import { PageTabs } from '../../components/page-tabs.tsx';
import type { LabelSet } from './api.ts';
import './status.css';

export { usePolling } from '../../components/use-polling.ts';

const TABS = [
  { href: '/status', label: 'Runtime & build' },
  { href: '/status/tsdb', label: 'TSDB' },
  { href: '/status/config', label: 'Configuration' },
  { href: '/status/flags', label: 'Flags' },
];

export function StatusTabs({ current }: { current: string }) {
  return <PageTabs label="Status" tabs={TABS} current={current} />;
}

/** Target labels in Prometheus's order. */
export function Labels({ labels }: { labels: LabelSet }) {
  return <LabelChips labels={labels} compare={byCodeUnit} />;
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
