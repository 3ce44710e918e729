/**
 * Synthetic data for a Grafana dashboard: every series selector in its queries (found with Vigil's
 * own PromQL parser) gets series that match it, with the labels its legends name, so each panel of
 * a seed dashboard has something to draw. Counters grow, gauges wander, `_bucket` series are
 * cumulative histograms.
 */
import { parseExpr } from '../../packages/server/src/query/promql/parser/index.ts';
import type { LabelMatcher } from '../../packages/server/src/model/matcher.ts';
import type { Appender } from '../../packages/server/src/store/index.ts';

interface MetricPlan {
  /** label → values the series must cover. */
  labels: Map<string, Set<string>>;
}

const regexCandidates = ['500', '503', '404', '429', '200', '201', 'error', 'success', 'failed', 'timeout', 'open', 'closed', 'active', 'idle', 'GET', 'POST', 'api', 'web', '1', '0'];
const bucketBounds = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];

function selectorsOf(node: unknown, found: { name: string; matchers: LabelMatcher[] }[]): void {
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (record.type === 'VectorSelector') {
    found.push({ name: String(record.name), matchers: record.matchers as LabelMatcher[] });
    return;
  }
  for (const value of Object.values(record)) {
    if (Array.isArray(value)) for (const item of value) selectorsOf(item, found);
    else selectorsOf(value, found);
  }
}

/** Values for labels only a legend names: realistic for the common ones, `<label>-a`/`-b` otherwise. */
const legendValues: Record<string, string[]> = {
  status: ['active', 'idle'],
  status_code: ['200', '500'],
  code: ['200', '500'],
  method: ['GET', 'POST'],
  endpoint: ['/api/users', '/api/orders'],
  handler: ['/api/users', '/api/orders'],
  path: ['/api/users', '/api/orders'],
  reason: ['invalid_signature', 'expired_token'],
  instance: ['app-1:8000', 'app-2:8000'],
  job: ['api'],
};

/**
 * Builds the plan of series for every target of every panel (rows and collapsed rows included) of
 * all `dashboards` together, so one metric used by two dashboards gets one consistent set of series.
 */
export function planDashboardData(dashboards: Record<string, unknown>[]): Map<string, MetricPlan> {
  const plans = new Map<string, MetricPlan>();
  for (const dashboard of dashboards) planOne(dashboard, plans);
  return plans;
}

function planOne(dashboard: Record<string, unknown>, plans: Map<string, MetricPlan>): void {
  const panels: Record<string, any>[] = [];
  const collect = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const panel of list) {
      panels.push(panel);
      collect(panel?.panels);
    }
  };
  collect(dashboard.panels);
  for (const row of Array.isArray(dashboard.rows) ? dashboard.rows : []) collect(row?.panels);

  for (const panel of panels) {
    for (const target of Array.isArray(panel.targets) ? panel.targets : []) {
      const expr = withoutVariables(String(target.expr ?? ''));
      if (expr === '') continue;
      const selectors: { name: string; matchers: LabelMatcher[] }[] = [];
      selectorsOf(parseExpr(expr), selectors);
      const legendLabels = [...String(target.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]);
      for (const selector of selectors) {
        const name = selector.name || selector.matchers.find((matcher) => matcher.name === '__name__' && matcher.type === '=')?.value || '';
        if (name === '') continue;
        const plan = plans.get(name) ?? { labels: new Map() };
        plans.set(name, plan);
        const values = (label: string) => plan.labels.get(label) ?? plan.labels.set(label, new Set()).get(label)!;
        for (const matcher of selector.matchers) {
          // Matchers on a template variable accept whatever values the other selectors create.
          if (matcher.name === '__name__' || matcher.value.includes(VARIABLE)) continue;
          if (matcher.type === '=') values(matcher.name).add(matcher.value);
          else if (matcher.type === '=~') {
            const literal = matcher.value.split('|').find((part) => /^[\w-]+$/.test(part) && matcher.matches(part));
            values(matcher.name).add(literal ?? regexCandidates.find((candidate) => matcher.matches(candidate)) ?? matcher.value);
          } else values(matcher.name).add(regexCandidates.find((candidate) => matcher.matches(candidate)) ?? 'other');
        }
        for (const label of legendLabels) {
          if (label === 'le' || label === '__name__') continue;
          const set = values(label);
          if (set.size === 0) for (const value of legendValues[label] ?? [`${label}-a`, `${label}-b`]) set.add(value);
        }
      }
    }
  }
}

const VARIABLE = 'VIGIL_TEMPLATE_VARIABLE';

/**
 * Makes a templated query parseable: ranges like `[$window]` become `[5m]`, variables inside label
 * values become a marker the planner skips, and bare variables (`$quantile`) become a number.
 */
export function withoutVariables(expr: string): string {
  const variable = /\$\{?\w+(?::\w+)?\}?|\[\[\w+\]\]/g;
  return expr
    .replace(/:\s*(\$\{?\w+\}?|\[\[\w+\]\])\s*\]/g, ':1m]')
    .replace(/\[\s*(\$\{?\w+\}?|\[\[\w+\]\])\s*(:[^\]]*)?\]/g, '[5m$2]')
    .split(/("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/)
    .map((part, index) => (index % 2 === 1 ? part.replace(variable, VARIABLE) : part.replace(variable, '0.95')))
    .join('');
}

function product(labels: Map<string, Set<string>>): Record<string, string>[] {
  let combinations: Record<string, string>[] = [{}];
  for (const [label, values] of [...labels.entries()].sort(([left], [right]) => (left < right ? -1 : 1))) {
    const next: Record<string, string>[] = [];
    for (const combination of combinations) for (const value of values) next.push({ ...combination, [label]: value });
    combinations = next.slice(0, 48);
  }
  return combinations;
}

function labelArray(name: string, labels: Record<string, string>): string[] {
  const pairs = Object.entries({ __name__: name, ...labels }).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return pairs.flat();
}

/** A small deterministic pseudo-random source, so a failing run can be reproduced. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

/** Appends the planned series from `startMs` to `endMs` every `stepMs`; returns the number of series. */
export async function appendDashboardData(appender: Appender, plans: Map<string, MetricPlan>, options: { startMs: number; endMs: number; stepMs: number }): Promise<number> {
  const next = random(42);
  let seriesCount = 0;
  const sample = { kind: 'float' as const, timestamp: 0, value: 0 };
  for (const [name, plan] of plans) {
    const combinations = product(plan.labels);
    for (const [index, labels] of combinations.entries()) {
      if (name.endsWith('_bucket')) {
        const rate = 2 + next() * 8;
        const refs = new Map<string, number>();
        let observations = 0;
        for (let time = options.startMs; time <= options.endMs; time += options.stepMs) {
          observations += rate * (options.stepMs / 1000) * (0.5 + next());
          sample.timestamp = time;
          for (const [boundIndex, bound] of bucketBounds.entries()) {
            // Cumulative buckets: most observations land around 100–500 ms.
            const share = bound === '+Inf' ? 1 : 1 - Math.exp(-(boundIndex + 1) / 1.5);
            sample.value = Math.floor(observations * share);
            const ref = appender.append(refs.get(bound) ?? 0, refs.has(bound) ? null : labelArray(name, { ...labels, le: bound }), sample);
            if (typeof ref === 'number' && ref > 0) refs.set(bound, ref);
          }
        }
        seriesCount += bucketBounds.length;
        continue;
      }
      const counter = /_(total|count|sum)$/.test(name);
      const base = 1 + next() * 20;
      let value = counter ? 0 : base;
      let ref = 0;
      for (let time = options.startMs; time <= options.endMs; time += options.stepMs) {
        if (counter) value += base * (options.stepMs / 1000) * (0.5 + next()) * (1 + 0.5 * Math.sin(time / 1_800_000 + index));
        else value = Math.max(0, base * (1 + 0.4 * Math.sin(time / 2_400_000 + index)) + (next() - 0.5) * base * 0.2);
        sample.timestamp = time;
        sample.value = counter ? Math.floor(value) : Math.round(value * 100) / 100;
        const result = appender.append(ref, ref > 0 ? null : labelArray(name, labels), sample);
        if (typeof result === 'number' && result > 0) ref = result;
      }
      seriesCount++;
    }
  }
  await appender.commit();
  return seriesCount;
}

/** A Grafana dashboard as the browser tests and the UI benchmark upload it. */
export type DashboardJson = {
  uid: string;
  title: string;
  time: { from: string; to: string };
  panels: Record<string, unknown>[];
};

/**
 * Eight time series and two stats over the seed services' metrics, six hours wide: the dashboard the
 * browser test checks draws every panel, and whose drawing time bench/ui-dashboard-render.ts measures.
 */
export function tenPanelDashboard(uid: string): DashboardJson {
  const queries = [
    'sum by (method) (rate(http_requests_total[5m]))',
    'sum by (endpoint) (rate(http_requests_total[5m]))',
    'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
    'rate(metamask_api_requests_total[5m])',
    'bridge_conductor_circuit_breaker_state',
    'bridge_database_connections_active',
    'db_connection_pool',
    'rate(bridge_events_received_total[5m])',
  ];
  return {
    uid,
    title: 'Ten panels',
    time: { from: 'now-6h', to: 'now' },
    panels: [
      ...queries.map((expr, index) => ({ id: index + 1, type: 'timeseries', title: `Series ${index + 1}`, gridPos: { x: (index % 2) * 12, y: Math.floor(index / 2) * 8, w: 12, h: 8 }, targets: [{ refId: 'A', expr }] })),
      { id: 9, type: 'stat', title: 'Sessions', gridPos: { x: 0, y: 32, w: 12, h: 4 }, targets: [{ refId: 'A', expr: 'sum(metamask_user_sessions_active)' }] },
      { id: 10, type: 'stat', title: 'Pool', gridPos: { x: 12, y: 32, w: 12, h: 4 }, targets: [{ refId: 'A', expr: 'sum(db_connection_pool)' }] },
    ],
  };
}
