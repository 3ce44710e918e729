/**
 * A tiny history-API router: the URL is the state. Pages read their parameters from the path
 * pattern and the query string, and write them back with `navigate` / `replaceQuery`, so any view
 * is a link.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  path: string;
  query: URLSearchParams;
}

const listeners = new Set<() => void>();

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

function notify(): void {
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', notify);

/** Goes to `url` (path with optional query), adding a history entry unless `replace`. */
export function navigate(url: string, options: { replace?: boolean } = {}): void {
  const target = new URL(url, window.location.href);
  const next = target.pathname + target.search + target.hash;
  const now = window.location.pathname + window.location.search + window.location.hash;
  if (next === now) return;
  if (options.replace) window.history.replaceState(null, '', next);
  else window.history.pushState(null, '', next);
  notify();
}

/** Rewrites the query string of the current path (keys set to undefined are removed). */
export function replaceQuery(update: (query: URLSearchParams) => void, options: { push?: boolean } = {}): void {
  const query = new URLSearchParams(window.location.search);
  update(query);
  const search = query.toString();
  navigate(window.location.pathname + (search ? `?${search}` : ''), { replace: !options.push });
}

/** The current location; re-renders the caller on every navigation. */
export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const listener = () => setLocation(current());
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return location;
}

/**
 * Matches `path` against a pattern such as `/d/:uid/:slug?` or `/alerting/*`.
 * Returns the named parameters (and `*` for the rest), or null.
 */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const patternParts = pattern.split('/').filter(Boolean);
  const pathParts = path.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  for (let index = 0; index < patternParts.length; index++) {
    const part = patternParts[index];
    if (part === '*') {
      params['*'] = pathParts.slice(index).map(decodeURIComponent).join('/');
      return params;
    }
    const value = pathParts[index];
    if (part.startsWith(':')) {
      const optional = part.endsWith('?');
      const name = part.slice(1, optional ? -1 : undefined);
      if (value === undefined) {
        if (optional) continue;
        return null;
      }
      params[name] = decodeURIComponent(value);
    } else if (part !== value) {
      return null;
    }
  }
  return pathParts.length <= patternParts.length ? params : null;
}

/** Intercepts plain left clicks on same-origin links so they navigate without a page load. */
export function handleLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.origin !== window.location.origin) return;
  // Server-rendered endpoints (APIs, /metrics) are real page loads.
  if (/^\/(api|-)\//.test(anchor.pathname) || anchor.pathname === '/metrics' || anchor.pathname === '/federate') return;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search + anchor.hash);
}
