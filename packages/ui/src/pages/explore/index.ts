/** Explore: ad-hoc PromQL with a graph and a table, query and range in the URL. */
import type { PageDefinition } from '../registry.ts';

export const pages: PageDefinition[] = [
  {
    path: '/explore',
    title: 'Explore',
    load: () => import('./explore-page.tsx'),
    navigation: { label: 'Explore', href: '/explore', order: 20, icon: '⌕' },
  },
  // Prometheus's graph links (alert generator URLs, graphLink/tableLink in templates) open Explore.
  { path: '/graph', title: 'Explore', load: () => import('./prometheus-link-page.tsx') },
];
