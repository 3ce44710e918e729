/** One dashboard at `/d/<uid>/<slug>`: variables, time controls and the panel grid, all in the URL. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { getDashboard, saveDashboard } from '../../api/dashboards.ts';
import { TimeRangePicker } from '../../components/time-range-picker.tsx';
import { useAutoRefresh } from '../../components/use-auto-refresh.ts';
import { isRelative, resolveRange } from '../../components/format/time.ts';
import type { RawTimeRange } from '../../components/format/time.ts';
import { navigate, replaceQuery } from '../../router.ts';
import type { PageProps } from '../registry.ts';
import { unsavedDashboard } from './dashboard-store.ts';
import { GRID_CELL_HEIGHT, GRID_CELL_MARGIN, compactLayout, normalizeDashboard, resolveColor, sections, slugify } from './model.ts';
import type { DashboardModel, PanelModel } from './model.ts';
import { loadAnnotations } from './annotations.ts';
import type { AnnotationEvent } from './annotations.ts';
import { PanelView } from './panel-view.tsx';
import { resolveVariables } from './variable-options.ts';
import { VariablePicker } from './variable-picker.tsx';
import { ALL_VALUE, selectedValues } from './variables.ts';
import type { VariableState } from './variables.ts';

/** Panels with `repeat`: one copy per selected value of the variable, side by side as Grafana lays them. */
function expandRepeats(panels: PanelModel[], variables: Map<string, VariableState>): { panel: PanelModel; scoped?: Record<string, string> }[] {
  const result: { panel: PanelModel; scoped?: Record<string, string> }[] = [];
  for (const panel of panels) {
    const state = panel.repeat ? variables.get(panel.repeat) : undefined;
    if (!state) {
      result.push({ panel });
      continue;
    }
    const values = selectedValues(state).values;
    const perRow = Math.max(1, Math.floor(24 / panel.gridPos.w));
    values.forEach((value, index) => {
      const copy: PanelModel = { ...panel, id: panel.id * 1000 + index, gridPos: { ...panel.gridPos, x: (index % perRow) * panel.gridPos.w, y: panel.gridPos.y + Math.floor(index / perRow) * panel.gridPos.h } };
      result.push({ panel: copy, scoped: { [panel.repeat]: value } });
    });
  }
  return result;
}

/**
 * The dashboard JSON with the current view as its defaults (time range, refresh, variable
 * selections), as Grafana's "save current time range and variables" writes it.
 */
function withCurrentView(dashboard: DashboardModel, raw: RawTimeRange, refresh: string, variables: Map<string, VariableState> | null): Record<string, unknown> {
  const source = structuredClone(dashboard.source);
  source.time = { from: raw.from, to: raw.to };
  source.refresh = refresh;
  const templating = source.templating as { list?: Record<string, unknown>[] } | undefined;
  for (const variable of templating?.list ?? []) {
    const state = variables?.get(String(variable.name));
    if (!state) continue;
    const all = state.selected.length === 1 && state.selected[0] === ALL_VALUE;
    const texts = state.selected.map((value) => (value === ALL_VALUE ? 'All' : (state.options.find((option) => option.value === value)?.text ?? value)));
    variable.current = state.model.multi ? { text: texts, value: all ? ['$__all'] : state.selected } : { text: texts[0] ?? '', value: all ? '$__all' : (state.selected[0] ?? '') };
  }
  return source;
}

function downloadJson(dashboard: DashboardModel): void {
  const blob = new Blob([`${JSON.stringify(dashboard.source, null, 2)}\n`], { type: 'application/json' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `${slugify(dashboard.title)}.json`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

export default function DashboardPage({ params, query }: PageProps) {
  const uid = params.uid;
  const [dashboard, setDashboard] = useState<DashboardModel | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [nowMs, setNowMs] = useState(() => Date.now());
  const [variables, setVariables] = useState<Map<string, VariableState> | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);
  const [rowState, setRowState] = useState<Map<number, boolean>>(new Map());
  const [saveState, setSaveState] = useState<{ saving: boolean; message: string | null; failed: boolean }>({ saving: false, message: null, failed: false });
  const [saved, setSaved] = useState(true);
  const [canSave, setCanSave] = useState(true);
  const [annotationEvents, setAnnotationEvents] = useState<AnnotationEvent[]>([]);
  const [annotationErrors, setAnnotationErrors] = useState<string[]>([]);
  const [annotationToggles, setAnnotationToggles] = useState<Map<string, boolean>>(new Map());

  useEffect(() => {
    let cancelled = false;
    setDashboard(null);
    setLoadError(null);
    setVariables(null);
    setRowState(new Map());
    setAnnotationEvents([]);
    setAnnotationToggles(new Map());
    const unsaved = unsavedDashboard(uid);
    setSaved(!unsaved);
    const load = unsaved ? Promise.resolve({ dashboard: unsaved, meta: {} as Record<string, unknown> }) : getDashboard(uid);
    load
      .then((answer) => {
        if (cancelled) return;
        const model = normalizeDashboard(answer.dashboard, uid);
        setDashboard(model);
        // Provisioned dashboards are read-only unless their provider allows UI updates.
        setCanSave(answer.meta.canSave !== false);
        document.title = `${model.title} · Vigil`;
        // Grafana's canonical URL carries the server's slug; fix it without adding a history entry.
        const slug = typeof answer.meta.slug === 'string' ? answer.meta.slug : null;
        if (slug && params.slug !== slug) navigate(`/d/${encodeURIComponent(uid)}/${slug}${window.location.search}`, { replace: true });
      })
      .catch((error: Error) => !cancelled && setLoadError(error.message));
    return () => void (cancelled = true);
  }, [uid]);

  const raw: RawTimeRange = { from: query.get('from') ?? dashboard?.time.from ?? 'now-6h', to: query.get('to') ?? dashboard?.time.to ?? 'now' };
  const refresh = query.get('refresh') ?? dashboard?.refresh ?? '';
  const range = useMemo(() => resolveRange(raw, nowMs, dashboard?.timeZone), [raw.from, raw.to, nowMs, dashboard]);
  const variableKey = [...query.entries()]
    .filter(([key]) => key.startsWith('var-'))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');

  // Variables resolve on load and when the range or a selection changes; then every panel reloads.
  useEffect(() => {
    if (!dashboard || !range) return;
    let cancelled = false;
    resolveVariables(dashboard.variables, {
      fromMs: range.fromMs,
      toMs: range.toMs,
      dashboardTitle: dashboard.title,
      dashboardUid: dashboard.uid,
      urlValues: (name) => new URLSearchParams(window.location.search).getAll(`var-${name}`),
    })
      .then((states) => {
        if (cancelled) return;
        setVariables(states);
        setRefreshKey((key) => key + 1);
      })
      .catch((error: Error) => !cancelled && setLoadError(`cannot resolve the template variables: ${error.message}`));
    return () => void (cancelled = true);
  }, [dashboard, raw.from, raw.to, variableKey]);

  // Auto refresh: relative ranges move with the clock; absolute ranges are re-queried as they are.
  useAutoRefresh(refresh, () => {
    setNowMs(Date.now());
    setRefreshKey((key) => key + 1);
  });

  // Annotation queries run with every refresh, like the panels.
  useEffect(() => {
    if (!dashboard || !variables || !range) return;
    const enabled = dashboard.annotations.filter((annotation) => annotationToggles.get(annotation.name) ?? annotation.enable);
    if (enabled.length === 0) {
      setAnnotationEvents([]);
      setAnnotationErrors([]);
      return;
    }
    const controller = new AbortController();
    const builtins = { intervalMs: 0, rateIntervalMs: 0, rangeMs: range.toMs - range.fromMs, fromMs: range.fromMs, toMs: range.toMs, dashboardTitle: dashboard.title, dashboardUid: dashboard.uid };
    loadAnnotations(enabled, { fromMs: range.fromMs, toMs: range.toMs, variables, builtins, signal: controller.signal })
      .then((result) => {
        setAnnotationEvents(result.events.map((event) => ({ ...event, color: resolveColor(event.color) })));
        setAnnotationErrors(result.errors);
      })
      .catch((error: Error) => error.name !== 'AbortError' && setAnnotationErrors([error.message]));
    return () => controller.abort();
  }, [refreshKey, annotationToggles]);

  const setRange = (next: RawTimeRange) => {
    setNowMs(Date.now());
    replaceQuery(
      (parameters) => {
        parameters.set('from', next.from);
        parameters.set('to', next.to);
      },
      { push: true },
    );
  };
  // The URL is the only record of selections, so back and forward restore them; a later variable
  // whose value disappears from its new options falls back to All or its first option.
  const setVariable = (name: string, values: string[]) => {
    replaceQuery(
      (parameters) => {
        parameters.delete(`var-${name}`);
        for (const value of values) parameters.append(`var-${name}`, value === ALL_VALUE ? '$__all' : value);
      },
      { push: true },
    );
  };

  // Repeated panels are copies: made once per dashboard and selection, so re-renders (a toggled row,
  // a save message) keep their identity and do not re-run their queries.
  const laidOut = useMemo(() => {
    if (!dashboard || !variables) return [];
    return sections(dashboard.panels).map((section) => {
      const expanded = expandRepeats(section.panels, variables);
      return { section, expanded, layout: compactLayout(expanded.map((entry) => entry.panel)) };
    });
  }, [dashboard, variables]);

  if (loadError) {
    return (
      <div class="page">
        <h1>Dashboard {uid}</h1>
        <div class="error-box">Cannot open this dashboard: {loadError}</div>
        <a href="/dashboards">All dashboards</a>
      </div>
    );
  }
  if (!dashboard) return <div class="loading">Loading dashboard…</div>;

  // Grafana's `viewPanel=<id>`: one panel, full size (panels inside collapsed rows included).
  const viewPanelId = query.get('viewPanel');
  const viewed = viewPanelId === null ? null : (laidOut.flatMap((item) => item.expanded).find((entry) => String(entry.panel.id) === viewPanelId || `panel-${entry.panel.id}` === viewPanelId) ?? null);
  const viewPanel = (id: number | null) =>
    replaceQuery(
      (parameters) => {
        if (id === null) parameters.delete('viewPanel');
        else parameters.set('viewPanel', String(id));
      },
      { push: true },
    );
  const context = variables && range ? { fromMs: range.fromMs, toMs: range.toMs, variables, dashboardTitle: dashboard.title, dashboardUid: dashboard.uid } : null;

  return (
    <div class="dashboard" data-dashboard-uid={dashboard.uid}>
      <div class="toolbar dashboard-toolbar">
        <h1 class="dashboard-title">
          <a href="/dashboards" class="muted">
            Dashboards
          </a>{' '}
          / {dashboard.title}
        </h1>
        <span class="spacer" />
        {saveState.message ? <span class={saveState.failed ? 'error-text' : 'muted'}>{saveState.message}</span> : null}
        <button
          type="button"
          hidden={!canSave}
          title="Save the current time range, refresh and variable values as this dashboard's defaults"
          disabled={saveState.saving}
          onClick={() => {
            setSaveState({ saving: true, message: null, failed: false });
            saveDashboard(withCurrentView(dashboard, raw, refresh, variables), true)
              .then(() => {
                setSaved(true);
                setSaveState({ saving: false, message: 'Saved', failed: false });
              })
              .catch((error: Error) => setSaveState({ saving: false, message: `Not saved: ${error.message}`, failed: true }));
          }}
        >
          {saved ? 'Save' : 'Save to Vigil'}
        </button>
        <button type="button" title="Download the dashboard as Grafana JSON" onClick={() => downloadJson(dashboard)}>
          ⤓ JSON
        </button>
        <TimeRangePicker
          raw={raw}
          resolved={range}
          onChange={setRange}
          refresh={refresh}
          onRefreshChange={(value) =>
            replaceQuery((parameters) => {
              if (value === '') parameters.delete('refresh');
              else parameters.set('refresh', value);
            })
          }
          onRefreshNow={() => {
            setNowMs(Date.now());
            setRefreshKey((key) => key + 1);
          }}
          now={() => Date.now()}
          timeZone={dashboard.timeZone}
        />
      </div>
      {!range ? <div class="error-box">The time range "{raw.from}" to "{raw.to}" is not valid.</div> : null}
      {(variables && variables.size > 0) || dashboard.annotations.length > 0 ? (
        <div class="toolbar variables">
          {[...(variables?.values() ?? [])].map((state) => (
            <VariablePicker key={state.model.name} state={state} onChange={(values) => setVariable(state.model.name, values)} />
          ))}
          {dashboard.annotations.map((annotation) => (
            <label class="annotation-toggle" key={annotation.name} title={annotation.expr}>
              <input
                type="checkbox"
                checked={annotationToggles.get(annotation.name) ?? annotation.enable}
                onChange={(event) => setAnnotationToggles((previous) => new Map(previous).set(annotation.name, (event.target as HTMLInputElement).checked))}
              />
              <span class="swatch" style={{ background: resolveColor(annotation.color) }} />
              {annotation.name}
            </label>
          ))}
          {annotationErrors.length > 0 ? (
            <span class="panel-error-icon" title={annotationErrors.join('\n')}>
              ⚠
            </span>
          ) : null}
        </div>
      ) : null}
      {context && viewed ? (
        <PanelView
          key={`view-${viewed.panel.id}`}
          panel={viewed.panel}
          context={{ ...context, scoped: viewed.scoped }}
          refreshKey={refreshKey}
          onZoom={(fromMs, toMs) => setRange({ from: String(fromMs), to: String(toMs) })}
          onView={() => viewPanel(null)}
          viewing
          annotations={annotationEvents}
        />
      ) : null}
      {context && viewPanelId !== null && !viewed ? <div class="error-box">This dashboard has no panel {viewPanelId}. <a href={window.location.pathname}>Show the whole dashboard</a></div> : null}
      {context && viewPanelId === null
        ? laidOut.map(({ section, expanded, layout }, sectionIndex) => {
            const row = section.row;
            const collapsed = row ? (rowState.get(row.id) ?? row.collapsed) : false;
            return (
              <div class="dashboard-section" key={row?.id ?? `section-${sectionIndex}`}>
                {row ? (
                  <button
                    type="button"
                    class="dashboard-row"
                    aria-expanded={!collapsed}
                    onClick={() => setRowState((previous) => new Map(previous).set(row.id, !collapsed))}
                  >
                    {collapsed ? '▸' : '▾'} {row.title}
                    {collapsed ? <span class="muted"> ({section.panels.length} panels)</span> : null}
                  </button>
                ) : null}
                {collapsed ? null : (
                  <div class="dashboard-grid" style={{ '--cell-height': `${GRID_CELL_HEIGHT}px`, '--cell-margin': `${GRID_CELL_MARGIN}px` }}>
                    {expanded.map(({ panel, scoped }) => {
                      const position = layout.get(panel)!;
                      return (
                        <PanelView
                          key={panel.id}
                          panel={panel}
                          context={{ ...context, scoped }}
                          refreshKey={refreshKey}
                          onZoom={(fromMs, toMs) => setRange({ from: String(fromMs), to: String(toMs) })}
                          style={{ '--x': position.x, '--y': position.y, '--w': position.w, '--h': position.h }}
                          onView={() => viewPanel(panel.id)}
                          annotations={annotationEvents}
                        />
                      );
                    })}
                  </div>
                )}
              </div>
            );
          })
        : range
          ? <div class="loading">Loading variables…</div>
          : null}
      {isRelative(raw) ? null : <div class="muted dashboard-footnote">Absolute range: auto refresh re-runs the same window.</div>}
    </div>
  );
}
