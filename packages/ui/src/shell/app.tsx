import { useEffect, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import { ErrorBoundary } from '../components/error-boundary.tsx';
import { matchPath, useLocation } from '../router.ts';
import { navigation, pages } from '../pages/registry.ts';
import type { PageDefinition, PageProps } from '../pages/registry.ts';
import { setTheme, useTheme } from './theme.ts';

interface Loaded {
  page: PageDefinition;
  component: ComponentType<PageProps>;
}

export function App() {
  const location = useLocation();
  const theme = useTheme();
  const [menuOpen, setMenuOpen] = useState(false);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  let matched: { page: PageDefinition; params: Record<string, string> } | null = null;
  for (const page of pages) {
    const params = matchPath(page.path, location.path);
    if (params) {
      matched = { page, params };
      break;
    }
  }

  useEffect(() => {
    setMenuOpen(false);
    if (!matched) return;
    document.title = `${matched.page.title} · Vigil`;
    if (loaded?.page === matched.page) return;
    let cancelled = false;
    const page = matched.page;
    page
      .load()
      .then((module) => !cancelled && (setLoaded({ page, component: module.default }), setLoadError(null)))
      .catch((error: Error) => !cancelled && setLoadError(`cannot load this page: ${error.message}`));
    return () => void (cancelled = true);
  }, [matched?.page, location.path]);

  let content;
  if (!matched) content = <NotFound path={location.path} />;
  else if (loadError) content = <div class="error-box">{loadError}</div>;
  else if (loaded?.page === matched.page) {
    const Page = loaded.component;
    content = (
      <ErrorBoundary key={location.path} what="This page">
        <Page params={matched.params} query={location.query} />
      </ErrorBoundary>
    );
  } else content = <div class="loading">Loading…</div>;

  return (
    <div class={`shell ${menuOpen ? 'menu-open' : ''}`}>
      <header class="topbar">
        <button class="icon-button menu-button" aria-label="Menu" onClick={() => setMenuOpen(!menuOpen)}>
          ☰
        </button>
        <a class="brand" href="/">
          Vigil
        </a>
        <span class="spacer" />
        <button
          class="icon-button"
          aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
          title={theme === 'dark' ? 'Light theme' : 'Dark theme'}
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
        >
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>
      <nav class="sidebar" aria-label="Main">
        {navigation.map((entry) => (
          <a key={entry.href} href={entry.href} class={location.path === entry.href || location.path.startsWith(`${entry.href}/`) ? 'active' : ''}>
            {entry.icon ? <span class="nav-icon">{entry.icon}</span> : null}
            {entry.label}
          </a>
        ))}
      </nav>
      <main class="content">{content}</main>
    </div>
  );
}

function NotFound({ path }: { path: string }) {
  return (
    <div class="page">
      <h1>Not found</h1>
      <p>
        No page at <code>{path}</code>. <a href="/">Home</a>
      </p>
    </div>
  );
}
