/** Dashboards: the list (also the home page), one dashboard at Grafana's `/d/<uid>/<slug>`, upload. */
import type { PageDefinition } from '../registry.ts';

export const pages: PageDefinition[] = [
  { path: '/', title: 'Dashboards', load: () => import('./dashboard-list-page.tsx'), order: 10 },
  {
    path: '/dashboards',
    title: 'Dashboards',
    load: () => import('./dashboard-list-page.tsx'),
    navigation: { label: 'Dashboards', href: '/dashboards', order: 10, icon: '▦' },
  },
  { path: '/d/:uid/:slug?', title: 'Dashboard', load: () => import('./dashboard-page.tsx') },
];
