/**
 * The page registry: every folder under `pages/` with an `index.ts` exporting `pages` adds its routes
 * and navigation entries. No central list to edit, so areas add pages without touching each other.
 */
import type { ComponentType } from 'preact';

export interface PageProps {
  /** Parameters from the route pattern (`:uid`, `*`). */
  params: Record<string, string>;
  /** The query string of the current URL. */
  query: URLSearchParams;
}

export interface PageDefinition {
  /** Route pattern: `/explore`, `/d/:uid/:slug?`, `/alerting/*`. The first match in `order` wins. */
  path: string;
  /** Window title. */
  title: string;
  /** Loads the page component: `() => import('./explore-page.tsx')`, so each page is its own chunk. */
  load: () => Promise<{ default: ComponentType<PageProps> }>;
  /** Navigation entry; pages without one are reachable by link only. */
  navigation?: { label: string; href: string; order: number; icon?: string };
  /** Lower is matched first (more specific routes first); default 100. */
  order?: number;
}

const modules = import.meta.glob<{ pages: PageDefinition[] }>('./*/index.ts', { eager: true });

export const pages: PageDefinition[] = Object.values(modules)
  .flatMap((module) => module.pages)
  .sort((left, right) => (left.order ?? 100) - (right.order ?? 100));

export const navigation = pages
  .flatMap((page) => (page.navigation ? [page.navigation] : []))
  .sort((left, right) => left.order - right.order);
