/** Pieces the alerting pages share: the tab bar, relative times; label chips and polling are the UI's own. */
import { PageTabs } from '../../components/page-tabs.tsx';
import './alerting.css';

export { LabelChips } from '../../components/label-chips.tsx';
export { usePolling } from '../../components/use-polling.ts';

const TABS = [
  { href: '/alerting', label: 'Alerts' },
  { href: '/alerting/rules', label: 'Rules' },
  { href: '/alerting/silences', label: 'Silences' },
  { href: '/alerting/history', label: 'History' },
];

export function AlertingTabs({ current }: { current: string }) {
  return <PageTabs label="Alerting" tabs={TABS} current={current} />;
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
