/** Status: scrape targets, runtime and build information, TSDB cardinality, configuration, flags. */
import type { PageDefinition } from '../registry.ts';

export const pages: PageDefinition[] = [
  {
    path: '/targets',
    title: 'Targets',
    load: () => import('./targets-page.tsx'),
    navigation: { label: 'Targets', href: '/targets', order: 40, icon: '◎' },
  },
  {
    path: '/status',
    title: 'Status',
    load: () => import('./runtime-page.tsx'),
    navigation: { label: 'Status', href: '/status', order: 50, icon: '≡' },
  },
  { path: '/status/tsdb', title: 'TSDB status', load: () => import('./tsdb-page.tsx') },
  { path: '/status/config', title: 'Configuration', load: () => import('./config-page.tsx') },
  { path: '/status/flags', title: 'Flags', load: () => import('./flags-page.tsx') },
  // Prometheus's own addresses for these pages, so bookmarks keep working.
  { path: '/tsdb-status', title: 'TSDB status', load: () => import('./tsdb-page.tsx') },
  { path: '/config', title: 'Configuration', load: () => import('./config-page.tsx') },
  { path: '/flags', title: 'Flags', load: () => import('./flags-page.tsx') },
];
