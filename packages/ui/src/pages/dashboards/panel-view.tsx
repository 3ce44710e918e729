/** One dashboard panel: its frame (title, status, links), its queries, and the renderer for its type. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChartAnnotation } from '../../components/chart.tsx';
import { ErrorBoundary } from '../../components/error-boundary.tsx';
import type { PanelModel } from './model.ts';
import { loadPanelData } from './panel-data.ts';
import type { PanelData, QueryContext } from './panel-data.ts';
import { interpolate } from './variables.ts';
import { BarGaugePanel } from './panels/bargauge-panel.tsx';
import { GaugePanel } from './panels/gauge-panel.tsx';
import { PieChartPanel } from './panels/piechart-panel.tsx';
import { StatPanel } from './panels/stat-panel.tsx';
import { TablePanel } from './panels/table-panel.tsx';
import { TextPanel } from './panels/text-panel.tsx';
import { TimeSeriesPanel } from './panels/timeseries-panel.tsx';

export const supportedPanelTypes = new Set(['timeseries', 'stat', 'gauge', 'bargauge', 'piechart', 'table', 'text']);

export interface PanelViewProps {
  panel: PanelModel;
  context: Omit<QueryContext, 'widthPixels' | 'signal'>;
  /** Changes on every refresh (manual, auto, or new range/variables). */
  refreshKey: number;
  onZoom: (fromMs: number, toMs: number) => void;
  style?: Record<string, string | number>;
  /** Grafana's `viewPanel`: toggles this panel alone on the page. */
  onView?: () => void;
  viewing?: boolean;
  /** The dashboard's annotation events, drawn on time series. */
  annotations?: ChartAnnotation[];
}

export function PanelView({ panel, context, refreshKey, onZoom, style, onView, viewing = false, annotations }: PanelViewProps) {
  const body = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLElement>(null);
  const receivedAt = useRef(0);
  const [data, setData] = useState<PanelData | null>(null);
  // The request (panel and refresh) whose answer is on screen: a newer one means "loading" from the
  // very render that asks for it, before its effect has even started.
  const [answered, setAnswered] = useState<{ panel: PanelModel; refreshKey: number } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  // Like Grafana, a panel queries once it comes near the viewport; after that it follows refreshes.
  const [seen, setSeen] = useState(false);
  const supported = supportedPanelTypes.has(panel.type);
  const needsData = supported && panel.type !== 'text';
  const builtinsForText = { intervalMs: 0, rateIntervalMs: 0, rangeMs: context.toMs - context.fromMs, fromMs: context.fromMs, toMs: context.toMs, dashboardTitle: context.dashboardTitle, dashboardUid: context.dashboardUid };
  const title = interpolate(panel.title, context.variables, builtinsForText, context.scoped, 'text');

  useEffect(() => {
    const element = frame.current;
    if (seen || !element) return;
    if (typeof IntersectionObserver === 'undefined') return setSeen(true);
    const observer = new IntersectionObserver((entries) => entries.some((entry) => entry.isIntersecting) && setSeen(true), { rootMargin: '300px 0px' });
    observer.observe(element);
    return () => observer.disconnect();
  }, [seen]);

  useEffect(() => {
    if (!needsData || !seen) return;
    const controller = new AbortController();
    const widthPixels = body.current?.clientWidth || 800;
    const request = { panel, refreshKey };
    loadPanelData(panel, { ...context, widthPixels, signal: controller.signal })
      .then((result) => {
        if (controller.signal.aborted) return;
        receivedAt.current = performance.now();
        setData(result);
        setFailure(null);
        setAnswered(request);
      })
      .catch((error: Error) => {
        if (error.name === 'AbortError') return;
        setFailure(error.message);
        setAnswered(request);
      });
    return () => controller.abort();
  }, [panel, refreshKey, seen]);

  // How long the data took to reach the screen (after the next paint), for tests and profiling.
  useEffect(() => {
    if (!data || receivedAt.current === 0) return;
    const started = receivedAt.current;
    const handle = requestAnimationFrame(() => frame.current?.setAttribute('data-render-ms', String(Math.round(performance.now() - started))));
    return () => cancelAnimationFrame(handle);
  }, [data]);

  const loading = needsData && (answered === null || answered.panel !== panel || answered.refreshKey !== refreshKey);

  let content;
  if (!supported) {
    content = (
      <div class="panel-unsupported">
        Panel type <code>{panel.originalType}</code> is not supported yet
      </div>
    );
  } else if (panel.type === 'text') {
    content = <TextPanel panel={panel} interpolate={(text) => interpolate(text, context.variables, builtinsForText, context.scoped)} />;
  } else if (!data) {
    content = failure ? null : <div class="panel-empty muted">Loading…</div>;
  } else if (data.series.length === 0 && data.errors.length === 0) {
    content = <div class="panel-empty muted">{panel.fieldConfig.noValue || 'No data'}</div>;
  } else {
    switch (panel.type) {
      case 'timeseries':
        content = <TimeSeriesPanel panel={panel} series={data.series} fromMs={context.fromMs} toMs={context.toMs} onZoom={onZoom} annotations={annotations} />;
        break;
      case 'stat':
        content = <StatPanel panel={panel} series={data.series} />;
        break;
      case 'gauge':
        content = <GaugePanel panel={panel} series={data.series} />;
        break;
      case 'bargauge':
        content = <BarGaugePanel panel={panel} series={data.series} />;
        break;
      case 'piechart':
        content = <PieChartPanel panel={panel} series={data.series} />;
        break;
      case 'table':
        content = <TablePanel panel={panel} series={data.series} />;
        break;
      default:
        content = null;
    }
  }

  const errors = [...(failure ? [failure] : []), ...(data?.errors ?? [])];
  const firstQuery = data?.queries[0] ?? panel.targets.find((target) => !target.hide)?.expr;
  const exploreLink = firstQuery ? `/explore?${new URLSearchParams({ query: firstQuery, from: String(context.fromMs), to: String(context.toMs) })}` : null;

  return (
    <section
      ref={frame}
      class={`panel card ${panel.transparent ? 'panel-transparent' : ''} ${viewing ? 'panel-viewed' : ''}`}
      style={style}
      data-panel-id={panel.id}
      data-panel-type={panel.type}
      data-panel-state={!supported ? 'unsupported' : !seen && needsData ? 'offscreen' : loading ? 'loading' : errors.length > 0 && (data?.series.length ?? 0) === 0 ? 'error' : data || panel.type === 'text' ? 'done' : 'loading'}
      data-series-count={data?.series.length ?? 0}
      data-errors={errors.length}
      aria-label={title || panel.type}
    >
      <header class="panel-header">
        <h3 class="panel-title" title={panel.description || title}>
          {title}
          {panel.description ? <span class="panel-info info-mark" aria-label={panel.description}>i</span> : null}
        </h3>
        {loading && seen ? <span class="panel-loading" aria-label="Loading" /> : null}
        {errors.length > 0 ? (
          <span class="panel-error-icon" title={errors.join('\n')} aria-label={`Error: ${errors.join('; ')}`}>
            ⚠
          </span>
        ) : null}
        {data && data.warnings.length > 0 ? (
          <span class="panel-warning-icon info-mark" title={data.warnings.join('\n')} aria-label={`Warning: ${data.warnings.join('; ')}`}>
            i
          </span>
        ) : null}
        {exploreLink && needsData ? (
          <a class="panel-explore" href={exploreLink} title="Open the query in Explore">
            ↗
          </a>
        ) : null}
        {onView ? (
          <button type="button" class="panel-view-button" title={viewing ? 'Back to the dashboard' : 'View this panel alone'} aria-label={viewing ? 'Back to the dashboard' : 'View panel'} onClick={onView}>
            {viewing ? '✕' : '⤢'}
          </button>
        ) : null}
      </header>
      <div class="panel-body" ref={body}>
        {errors.length > 0 && (!data || data.series.length === 0) ? <div class="panel-error">{errors.join('\n')}</div> : <ErrorBoundary what="Drawing this panel">{content}</ErrorBoundary>}
      </div>
    </section>
  );
}
