/** A page family's tab bar (alerting, status): links, the current one marked for eyes and screen readers. */
export interface PageTab {
  href: string;
  label: string;
}

export function PageTabs({ label, tabs, current }: { label: string; tabs: readonly PageTab[]; current: string }) {
  return (
    <nav class="page-tabs" aria-label={label}>
      {tabs.map((tab) => (
        <a key={tab.href} href={tab.href} class={tab.href === current ? 'selected' : ''} aria-current={tab.href === current ? 'page' : undefined}>
          {tab.label}
        </a>
      ))}
    </nav>
  );
}
