/** Alerting: alerts grouped as Alertmanager groups them, rules, silences (list and editor), history. */
import type { PageDefinition } from '../registry.ts';

export const pages: PageDefinition[] = [
  {
    path: '/alerting',
    title: 'Alerts',
    load: () => import('./alerts-page.tsx'),
    navigation: { label: 'Alerting', href: '/alerting', order: 30, icon: '△' },
  },
  { path: '/alerting/rules', title: 'Rules', load: () => import('./rules-page.tsx') },
  { path: '/alerting/silences', title: 'Silences', load: () => import('./silences-page.tsx') },
  { path: '/alerting/silences/:id', title: 'Silence', load: () => import('./silence-editor-page.tsx') },
  { path: '/alerting/history', title: 'Alert history', load: () => import('./history-page.tsx') },
  // Prometheus's and Alertmanager's own addresses for these pages, so bookmarks keep working.
  { path: '/alerts', title: 'Alerts', load: () => import('./alerts-page.tsx') },
  { path: '/rules', title: 'Rules', load: () => import('./rules-page.tsx') },
];
