/** Scrape targets by pool: health, labels after (and, on request, before) relabeling, last scrape, duration, error. */
import { useState } from 'preact/hooks';
import { replaceQuery } from '../../router.ts';
import type { PageProps } from '../registry.ts';
import { targets } from './api.ts';
import type { ActiveTarget, DroppedTarget } from './api.ts';
import { Labels, ago, formatSeconds, usePolling } from './common.tsx';

type Health = 'all' | 'up' | 'down' | 'unknown';

export default function TargetsPage({ query }: PageProps) {
  const search = query.get('search') ?? '';
  const health = (query.get('health') ?? 'all') as Health;
  const showDropped = query.get('dropped') === '1';
  const loaded = usePolling((signal) => targets(showDropped ? 'any' : 'active', signal), 0, [showDropped]);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const set = (name: string, value: string | null) =>
    replaceQuery((params) => {
      if (value === null || value === '') params.delete(name);
      else params.set(name, value);
    });
  const needle = search.toLowerCase();
  const matches = (target: ActiveTarget) =>
    (health === 'all' || target.health === health) &&
    (needle === '' || target.scrapeUrl.toLowerCase().includes(needle) || Object.entries(target.labels).some(([name, value]) => `${name}="${value}"`.toLowerCase().includes(needle)));
  const pools = new Map<string, ActiveTarget[]>();
  for (const target of loaded.data?.activeTargets ?? []) pools.set(target.scrapePool, [...(pools.get(target.scrapePool) ?? []), target]);
  const poolNames = [...pools.keys()].sort();
  const toggle = (pool: string) => {
    const next = new Set(collapsed);
    if (next.has(pool)) next.delete(pool);
    else next.add(pool);
    setCollapsed(next);
  };

  return (
    <div class="page status-page">
      <h1>Targets</h1>
      <div class="toolbar">
        <input class="status-search" placeholder="Search endpoints and labels" value={search} aria-label="Search targets" onInput={(event) => set('search', (event.target as HTMLInputElement).value)} />
        <div class="button-group" role="group" aria-label="Health">
          {(['all', 'up', 'down', 'unknown'] as Health[]).map((option) => (
            <button key={option} type="button" class={health === option ? 'selected' : ''} onClick={() => set('health', option === 'all' ? null : option)}>
              {option}
            </button>
          ))}
        </div>
        <label>
          <input type="checkbox" checked={showDropped} onChange={(event) => set('dropped', (event.target as HTMLInputElement).checked ? '1' : null)} /> Dropped targets
        </label>
        <button type="button" onClick={() => setCollapsed(collapsed.size === poolNames.length ? new Set() : new Set(poolNames))}>
          {collapsed.size === poolNames.length && poolNames.length > 0 ? 'Expand all' : 'Collapse all'}
        </button>
        <span class="spacer" />
        <button type="button" onClick={loaded.refresh} disabled={loaded.loading}>
          Refresh
        </button>
      </div>
      {loaded.error ? <div class="error-box">Targets could not be loaded: {loaded.error}</div> : null}
      {loaded.data === null && loaded.error === null ? <div class="loading">Loading targets…</div> : null}
      {loaded.data !== null && poolNames.length === 0 ? <p class="muted">No scrape targets. Targets come from <code>scrape_configs</code> in the configuration.</p> : null}
      {poolNames.map((pool) => {
        const all = pools.get(pool) ?? [];
        const shown = all.filter(matches);
        if (shown.length === 0 && (needle !== '' || health !== 'all')) return null;
        const up = all.filter((target) => target.health === 'up').length;
        const open = !collapsed.has(pool);
        return (
          <section key={pool} class="card target-pool" data-testid="target-pool">
            <header class="pool-header">
              <button type="button" class="link-button" aria-expanded={open} onClick={() => toggle(pool)}>
                {open ? '▾' : '▸'} <strong>{pool}</strong>
              </button>
              <span class={`pool-count ${up === all.length ? 'healthy' : 'unhealthy'}`}>
                {up}/{all.length} up
              </span>
              {loaded.data?.droppedTargetCounts?.[pool] ? <span class="muted">{loaded.data.droppedTargetCounts[pool]} dropped by relabeling</span> : null}
            </header>
            {open ? (
              <div class="table-scroll">
                <table class="data targets-table">
                  <colgroup>
                    <col class="column-endpoint" />
                    <col class="column-state" />
                    <col />
                    <col class="column-scrape" />
                    <col class="column-duration" />
                    <col class="column-error" />
                  </colgroup>
                  <thead>
                    <tr>
                      <th>Endpoint</th>
                      <th>State</th>
                      <th>Labels</th>
                      <th>Last scrape</th>
                      <th class="number">Duration</th>
                      <th>Error</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((target) => (
                      <TargetRow key={target.scrapeUrl + JSON.stringify(target.labels)} target={target} />
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
          </section>
        );
      })}
      {showDropped && loaded.data ? <DroppedTargets dropped={loaded.data.droppedTargets} /> : null}
    </div>
  );
}

function TargetRow({ target }: { target: ActiveTarget }) {
  const [discovered, setDiscovered] = useState(false);
  return (
    <tr data-testid="target" data-health={target.health}>
      <td class="endpoint">
        <a href={target.scrapeUrl} rel="noreferrer" class="mono">
          {target.scrapeUrl}
        </a>
        <div class="muted">
          every {target.scrapeInterval}, timeout {target.scrapeTimeout}
        </div>
      </td>
      <td>
        <span class={`state-badge health-badge ${target.health}`}>{target.health}</span>
      </td>
      <td>
        <Labels labels={discovered ? target.discoveredLabels : target.labels} />
        <div>
          <button type="button" class="link-button status-small" onClick={() => setDiscovered(!discovered)} aria-pressed={discovered}>
            {discovered ? 'discovered labels (before relabeling) · show target labels' : 'show discovered labels'}
          </button>
        </div>
      </td>
      <td class="nowrap" title={target.lastScrape}>
        {ago(target.lastScrape)}
      </td>
      <td class="number">{target.health === 'unknown' ? '' : formatSeconds(target.lastScrapeDuration)}</td>
      <td class="target-error">{target.lastError}</td>
    </tr>
  );
}

function DroppedTargets({ dropped }: { dropped: DroppedTarget[] }) {
  return (
    <section class="card target-pool">
      <header class="pool-header">
        <strong>Dropped targets</strong>
        <span class="muted">{dropped.length} dropped by relabeling (discovered labels shown)</span>
      </header>
      {dropped.length === 0 ? (
        <p class="muted status-empty">None.</p>
      ) : (
        <table class="data">
          <tbody>
            {dropped.map((target, index) => (
              <tr key={index}>
                <td>
                  <Labels labels={target.discoveredLabels} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
