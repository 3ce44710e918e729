/** Status: runtime and build information, TSDB and cardinality, the running configuration, flags. */
import { useState } from 'preact/hooks';
import { replaceQuery } from '../../router.ts';
import type { PageProps } from '../registry.ts';
import { buildInfo, configYaml, flags, runtimeInfo, tsdbStatus } from './api.ts';
import type { NameCount } from './api.ts';
import { StatusTabs, bytes, usePolling } from './common.tsx';

export type StatusSection = 'runtime' | 'tsdb' | 'config' | 'flags';

export function statusPage(section: StatusSection) {
  return function StatusSectionPage(props: PageProps) {
    return <StatusPage section={section} {...props} />;
  };
}

const HREF: Record<StatusSection, string> = { runtime: '/status', tsdb: '/status/tsdb', config: '/status/config', flags: '/status/flags' };
const TITLE: Record<StatusSection, string> = { runtime: 'Runtime & build information', tsdb: 'TSDB status', config: 'Configuration', flags: 'Command-line flags' };

function StatusPage({ section, query }: PageProps & { section: StatusSection }) {
  return (
    <div class="page status-page">
      <h1>{TITLE[section]}</h1>
      <StatusTabs current={HREF[section]} />
      {section === 'runtime' ? <Runtime /> : section === 'tsdb' ? <Tsdb limit={Number(query.get('limit') ?? '10') || 10} /> : section === 'config' ? <Config /> : <Flags filter={query.get('filter') ?? ''} />}
    </div>
  );
}

function KeyValues({ values }: { values: Record<string, unknown> }) {
  return (
    <table class="data key-values">
      <tbody>
        {Object.entries(values).map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td class="mono">{String(value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Runtime() {
  const runtime = usePolling((signal) => runtimeInfo(signal), 0, []);
  const build = usePolling((signal) => buildInfo(signal), 0, []);
  return (
    <>
      <h2>Runtime information</h2>
      {runtime.error ? <div class="error-box">{runtime.error}</div> : runtime.data ? <div class="card">{<KeyValues values={runtime.data} />}</div> : <div class="loading">Loading…</div>}
      <h2>Build information</h2>
      {build.error ? <div class="error-box">{build.error}</div> : build.data ? <div class="card">{<KeyValues values={build.data} />}</div> : <div class="loading">Loading…</div>}
    </>
  );
}

function Flags({ filter }: { filter: string }) {
  const loaded = usePolling((signal) => flags(signal), 0, []);
  const needle = filter.toLowerCase();
  const shown = Object.fromEntries(Object.entries(loaded.data ?? {}).filter(([name, value]) => needle === '' || name.toLowerCase().includes(needle) || value.toLowerCase().includes(needle)));
  return (
    <>
      <div class="toolbar">
        <input class="status-search" placeholder="Filter flags" value={filter} aria-label="Filter flags" onInput={(event) => replaceQuery((params) => ((event.target as HTMLInputElement).value === '' ? params.delete('filter') : params.set('filter', (event.target as HTMLInputElement).value)))} />
      </div>
      {loaded.error ? (
        <div class="error-box">{loaded.error}</div>
      ) : loaded.data === null ? (
        <div class="loading">Loading…</div>
      ) : Object.keys(shown).length === 0 ? (
        <p class="muted">{needle === '' ? 'No flags reported.' : 'No flag matches.'}</p>
      ) : (
        <div class="card">
          <KeyValues values={shown} />
        </div>
      )}
    </>
  );
}

function Config() {
  const loaded = usePolling((signal) => configYaml(signal), 0, []);
  const [copied, setCopied] = useState(false);
  if (loaded.error) return <div class="error-box">{loaded.error}</div>;
  if (loaded.data === null) return <div class="loading">Loading…</div>;
  const text = loaded.data.yaml;
  return (
    <>
      <div class="toolbar">
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(text).then(() => setCopied(true));
          }}
        >
          {copied ? 'Copied' : 'Copy to clipboard'}
        </button>
        <span class="muted">The configuration in force, as loaded (reloaded with SIGHUP or POST /-/reload).</span>
      </div>
      <pre class="card config-yaml mono" data-testid="config-yaml">
        {text}
      </pre>
    </>
  );
}

function Tsdb({ limit }: { limit: number }) {
  const loaded = usePolling((signal) => tsdbStatus(limit, signal), 0, [limit]);
  if (loaded.error) return <div class="error-box">{loaded.error}</div>;
  if (loaded.data === null) return <div class="loading">Loading…</div>;
  const stats = loaded.data;
  const head = stats.headStats;
  const time = (ms: number) => (ms > 0 && Number.isFinite(ms) ? new Date(ms).toLocaleString() : 'no samples');
  return (
    <>
      <h2>Head block</h2>
      <div class="card head-stats">
        <div>
          <span class="head-stat-value">{head.numSeries.toLocaleString()}</span>
          <span class="muted">series</span>
        </div>
        <div>
          <span class="head-stat-value">{head.numLabelPairs.toLocaleString()}</span>
          <span class="muted">label pairs</span>
        </div>
        <div>
          <span class="head-stat-value">{head.chunkCount.toLocaleString()}</span>
          <span class="muted">chunks</span>
        </div>
        <div>
          <span class="head-stat-value status-small">{time(head.minTime)}</span>
          <span class="muted">oldest sample</span>
        </div>
        <div>
          <span class="head-stat-value status-small">{time(head.maxTime)}</span>
          <span class="muted">newest sample</span>
        </div>
      </div>
      <div class="toolbar">
        <label>
          Show top
          <select value={String(limit)} onChange={(event) => replaceQuery((params) => params.set('limit', (event.target as HTMLSelectElement).value))}>
            {[10, 20, 50, 100].map((option) => (
              <option key={option} value={String(option)}>
                {option}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div class="tsdb-tables">
        <Top title="Top metrics by series count" rows={stats.seriesCountByMetricName} unit="series" link={(name) => `/explore?expr=${encodeURIComponent(`count by (__name__) ({__name__="${name}"})`)}`} />
        <Top title="Top labels by value count" rows={stats.labelValueCountByLabelName} unit="values" />
        <Top title="Top labels by memory use" rows={stats.memoryInBytesByLabelName} unit="bytes" format={bytes} />
        <Top title="Top label pairs by series count" rows={stats.seriesCountByLabelValuePair} unit="series" />
      </div>
    </>
  );
}

function Top({ title, rows, unit, format, link }: { title: string; rows: NameCount[]; unit: string; format?: (value: number) => string; link?: (name: string) => string }) {
  const max = Math.max(1, ...rows.map((row) => row.value));
  return (
    <section class="card top-table" data-testid="tsdb-top">
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p class="muted status-empty">Nothing stored yet.</p>
      ) : (
        <table class="data">
          <thead>
            <tr>
              <th>Name</th>
              <th class="number">{unit}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.name}>
                <td class="top-bar-cell">
                  <span class="top-bar" style={{ width: `${(row.value / max) * 100}%` }} />
                  <span class="mono top-bar-label">{link ? <a href={link(row.name)}>{row.name}</a> : row.name}</span>
                </td>
                <td class="number">{format ? format(row.value) : row.value.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
