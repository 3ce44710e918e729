/**
 * Explore: a PromQL editor, a graph (range query, stacked or not) and a table (instant query).
 * The query, range, view and options live in the URL, so a link reproduces the view.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { formatSeriesName, queryInstant, queryRange } from '../../api/prometheus.ts';
import type { QueryData } from '../../api/prometheus.ts';
import { Chart } from '../../components/chart.tsx';
import { calculateInterval, formatInterval, parseInterval, resolveRange } from '../../components/format/time.ts';
import type { RawTimeRange } from '../../components/format/time.ts';
import { formatValueText } from '../../components/format/units.ts';
import { TimeRangePicker } from '../../components/time-range-picker.tsx';
import { useAutoRefresh } from '../../components/use-auto-refresh.ts';
import { replaceQuery } from '../../router.ts';
import { seriesColor } from '../dashboards/model.ts';
import { alignSeries } from '../dashboards/panel-data.ts';
import type { Series } from '../dashboards/panel-data.ts';
import type { PageProps } from '../registry.ts';
import type { PromqlEditor } from './promql-editor.ts';

type View = 'graph' | 'table';

const historyKey = 'vigil.explore.history';

/** The last queries run in Explore, newest first, kept in this browser. */
function readHistory(): string[] {
  try {
    const stored = JSON.parse(localStorage.getItem(historyKey) ?? '[]') as unknown;
    return Array.isArray(stored) ? stored.filter((entry): entry is string => typeof entry === 'string') : [];
  } catch {
    return [];
  }
}

function remember(query: string): string[] {
  const history = [query, ...readHistory().filter((entry) => entry !== query)].slice(0, 30);
  try {
    localStorage.setItem(historyKey, JSON.stringify(history));
  } catch {
    // Storage may be full or refused; the history is a convenience.
  }
  return history;
}

/** Grafana's Explore link form: `left={"queries":[{"expr":…}],"range":{"from":…,"to":…}}`. */
function fromGrafanaLeft(query: URLSearchParams): { expr?: string; from?: string; to?: string } {
  const left = query.get('left');
  if (!left) return {};
  try {
    const state = JSON.parse(left) as { queries?: { expr?: string }[]; range?: { from?: string; to?: string } };
    return { expr: state.queries?.[0]?.expr, from: state.range?.from, to: state.range?.to };
  } catch {
    return {};
  }
}

function Editor({ value, draft, onChange, onRun }: { value: string; draft: string; onChange: (value: string) => void; onRun: (value?: string) => void }) {
  const holder = useRef<HTMLDivElement>(null);
  const editor = useRef<PromqlEditor | null>(null);
  const [loaded, setLoaded] = useState(false);
  const callbacks = useRef({ onChange, onRun });
  callbacks.current = { onChange, onRun };
  // Typing in the fallback textarea before the editor loaded carries over into the editor.
  const draftRef = useRef(draft);
  draftRef.current = draft;

  useEffect(() => {
    let cancelled = false;
    import('./promql-editor.ts').then(({ createPromqlEditor }) => {
      if (cancelled || !holder.current) return;
      editor.current = createPromqlEditor({
        parent: holder.current,
        value: draftRef.current,
        onChange: (text) => callbacks.current.onChange(text),
        onRun: (text) => callbacks.current.onRun(text),
      });
      setLoaded(true);
      editor.current.focus();
    });
    return () => {
      cancelled = true;
      editor.current?.destroy();
      editor.current = null;
    };
  }, []);

  // `value` is the query in the URL: it reaches the editor only when the URL changes (history,
  // links), never as an echo of typing, which would race the editor's own updates.
  useEffect(() => editor.current?.setValue(value), [value]);

  return (
    <div class="explore-editor" ref={holder}>
      {loaded ? null : (
        <textarea
          class="mono explore-fallback"
          value={draft}
          rows={2}
          aria-label="PromQL query"
          onInput={(event) => onChange((event.target as HTMLTextAreaElement).value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey) {
              event.preventDefault();
              onRun();
            }
          }}
        />
      )}
    </div>
  );
}

interface Result {
  kind: 'range' | 'instant';
  data: QueryData;
  warnings: string[];
  tookMs: number;
  stepMs: number;
  fromMs: number;
  toMs: number;
}

export default function ExplorePage({ query }: PageProps) {
  const grafana = fromGrafanaLeft(query);
  const expr = query.get('query') ?? query.get('expr') ?? grafana.expr ?? '';
  const raw: RawTimeRange = { from: query.get('from') ?? grafana.from ?? 'now-1h', to: query.get('to') ?? grafana.to ?? 'now' };
  const view: View = query.get('view') === 'table' ? 'table' : 'graph';
  const stacked = query.get('stacked') === '1';
  const stepParameter = query.get('step') ?? '';
  const [draft, setDraft] = useState(expr);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [runKey, setRunKey] = useState(0);
  const [nowMs, setNowMs] = useState(() => Date.now());
  const [refresh, setRefresh] = useState('');
  const [history, setHistory] = useState(readHistory);
  const graphHolder = useRef<HTMLDivElement>(null);
  const range = useMemo(() => resolveRange(raw, nowMs), [raw.from, raw.to, nowMs]);

  useEffect(() => setDraft(expr), [expr]);

  /** Runs `text` (the editor's content at Enter) or the draft; a new query becomes a history entry. */
  const run = (text?: string) => {
    const next = text ?? draft;
    setNowMs(Date.now());
    if (next.trim() !== '') setHistory(remember(next));
    if (next !== expr)
      replaceQuery(
        (parameters) => {
          parameters.set('query', next);
          parameters.delete('left');
        },
        { push: true },
      );
    setRunKey((key) => key + 1);
  };

  useEffect(() => {
    if (expr.trim() === '' || !range) {
      setResult(null);
      setError(null);
      return;
    }
    const controller = new AbortController();
    const started = performance.now();
    setRunning(true);
    const finish = (answer: { data: QueryData; warnings: string[] }, kind: 'range' | 'instant', stepMs: number) => {
      if (controller.signal.aborted) return;
      setResult({ kind, data: answer.data, warnings: answer.warnings, tookMs: performance.now() - started, stepMs, fromMs: range.fromMs, toMs: range.toMs });
      setError(null);
      setRunning(false);
    };
    const fail = (failure: Error) => {
      if (failure.name === 'AbortError') return;
      setError(failure.message);
      setResult(null);
      setRunning(false);
    };
    if (view === 'table') {
      queryInstant(expr, range.toMs, controller.signal)
        .then((answer) => finish(answer, 'instant', 0))
        .catch(fail);
    } else {
      const width = graphHolder.current?.clientWidth || 1000;
      const stepMs = parseInterval(stepParameter) ?? calculateInterval({ rangeMs: range.toMs - range.fromMs, maxDataPoints: width, minIntervalMs: 1000 });
      const startMs = Math.floor(range.fromMs / stepMs) * stepMs;
      queryRange(expr, startMs, range.toMs, stepMs / 1000, controller.signal)
        .then((answer) => finish(answer, 'range', stepMs))
        .catch(fail);
    }
    return () => controller.abort();
  }, [expr, raw.from, raw.to, view, stepParameter, runKey]);

  useAutoRefresh(refresh, () => {
    setNowMs(Date.now());
    setRunKey((key) => key + 1);
  });

  const series: Series[] = useMemo(() => {
    if (!result || result.data.resultType !== 'matrix') return [];
    return result.data.result.map((entry) => {
      const values = entry.values ?? [];
      return {
        refId: 'A',
        name: formatSeriesName(entry.metric),
        labels: entry.metric,
        timestamps: Float64Array.from(values, (pair) => pair[0] * 1000),
        values: Float64Array.from(values, (pair) => Number.parseFloat(pair[1])),
      };
    });
  }, [result]);
  const aligned = useMemo(() => alignSeries(series), [series]);
  const chartSeries = useMemo(() => series.map((entry, index) => ({ name: entry.name, color: seriesColor(index), values: aligned.ys[index] })), [series, aligned]);

  const setParameter = (name: string, value: string | null) =>
    replaceQuery((parameters) => {
      if (value === null) parameters.delete(name);
      else parameters.set(name, value);
    });

  return (
    <div class="explore" data-testid="explore">
      <div class="toolbar">
        <h1 style={{ margin: 0 }}>Explore</h1>
        <span class="spacer" />
        <TimeRangePicker
          raw={raw}
          resolved={range}
          onChange={(next) => {
            setNowMs(Date.now());
            replaceQuery(
              (parameters) => {
                parameters.set('from', next.from);
                parameters.set('to', next.to);
              },
              { push: true },
            );
          }}
          refresh={refresh}
          onRefreshChange={setRefresh}
          onRefreshNow={() => run()}
          now={() => Date.now()}
        />
      </div>
      <div class="explore-query">
        <Editor value={expr} draft={draft} onChange={setDraft} onRun={run} />
        <button type="button" class="primary" onClick={() => run()} disabled={running && draft === expr} data-testid="run-query">
          {running ? 'Running…' : 'Run query'}
        </button>
      </div>
      {history.length > 0 ? (
        <details class="explore-history">
          <summary>History</summary>
          <ul>
            {history.map((entry) => (
              <li key={entry}>
                <button type="button" class="mono" onClick={() => run(entry)}>
                  {entry}
                </button>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      <div class="toolbar explore-options">
        <div class="button-group" role="tablist">
          <button type="button" role="tab" aria-selected={view === 'graph'} class={view === 'graph' ? 'selected' : ''} onClick={() => setParameter('view', null)}>
            Graph
          </button>
          <button type="button" role="tab" aria-selected={view === 'table'} class={view === 'table' ? 'selected' : ''} onClick={() => setParameter('view', 'table')}>
            Table
          </button>
        </div>
        {view === 'graph' ? (
          <>
            <label>
              <input type="checkbox" checked={stacked} onChange={(event) => setParameter('stacked', (event.target as HTMLInputElement).checked ? '1' : null)} /> Stacked
            </label>
            <label>
              Step
              <input
                class="mono"
                style={{ width: '80px' }}
                placeholder={result?.stepMs ? formatInterval(result.stepMs) : 'auto'}
                value={stepParameter}
                onChange={(event) => {
                  const value = (event.target as HTMLInputElement).value.trim();
                  setParameter('step', value === '' ? null : value);
                }}
              />
            </label>
          </>
        ) : (
          <span class="muted">Instant query at {range ? new Date(range.toMs).toLocaleString() : '—'}</span>
        )}
        <span class="spacer" />
        {result ? (
          <span class="muted explore-stats">
            {result.kind === 'range' ? `${series.length} series, step ${formatInterval(result.stepMs)}` : `${resultCount(result.data)} results`} · {Math.round(result.tookMs)} ms
          </span>
        ) : null}
      </div>
      {error ? <div class="error-box">{error}</div> : null}
      {result?.warnings.map((warning) => (
        <div class="warning-box" key={warning}>
          {warning}
        </div>
      ))}
      {view === 'graph' ? (
        <div class="card explore-graph" ref={graphHolder} data-series-count={series.length}>
          {result && result.kind === 'range' && series.length > 0 ? (
            <Chart
              x={aligned.x}
              series={chartSeries}
              fromMs={result.fromMs}
              toMs={result.toMs}
              stacking={stacked ? 'normal' : 'none'}
              fillOpacity={stacked ? 40 : 0}
              legend={{ show: true, displayMode: 'list', placement: 'bottom', calcs: [] }}
              onZoom={(fromMs, toMs) =>
                replaceQuery(
                  (parameters) => {
                    parameters.set('from', String(fromMs));
                    parameters.set('to', String(toMs));
                  },
                  { push: true },
                )
              }
            />
          ) : (
            <div class="panel-empty muted">{expr === '' ? 'Enter a query and press Enter.' : running ? 'Loading…' : error ? '' : 'No data'}</div>
          )}
        </div>
      ) : (
        <div class="card explore-table">{result && result.kind === 'instant' ? <ResultTable data={result.data} /> : running ? <div class="loading">Loading…</div> : null}</div>
      )}
    </div>
  );
}

function resultCount(data: QueryData): number {
  return data.resultType === 'vector' || data.resultType === 'matrix' ? data.result.length : 1;
}

function ResultTable({ data }: { data: QueryData }) {
  if (data.resultType === 'scalar' || data.resultType === 'string') {
    return (
      <table class="data">
        <tbody>
          <tr>
            <td>{data.resultType}</td>
            <td class="number">{data.result[1]}</td>
          </tr>
        </tbody>
      </table>
    );
  }
  if (data.result.length === 0) return <div class="panel-empty muted">Empty query result</div>;
  const shown = data.result.slice(0, 10_000);
  return (
    <table class="data">
      <thead>
        <tr>
          <th>Series</th>
          <th class="number">Value</th>
        </tr>
      </thead>
      <tbody>
        {data.resultType === 'vector'
          ? (shown as { metric: Record<string, string>; value?: [number, string]; histogram?: [number, unknown] }[]).map((sample, index) => (
              <tr key={index}>
                <td class="mono">{formatSeriesName(sample.metric)}</td>
                <td class="number mono">{sample.value ? sample.value[1] : sample.histogram ? JSON.stringify(sample.histogram[1]) : ''}</td>
              </tr>
            ))
          : (shown as { metric: Record<string, string>; values?: [number, string][] }[]).map((entry, index) => (
              <tr key={index}>
                <td class="mono">{formatSeriesName(entry.metric)}</td>
                <td class="number mono">
                  {(entry.values ?? []).map(([time, value]) => (
                    <div key={time}>
                      {formatValueText(Number(value), 'none')} @{time}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
      </tbody>
    </table>
  );
}
