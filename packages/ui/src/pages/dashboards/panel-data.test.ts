import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignSeries, formatLegend, panelBuiltins, reduceSeries } from './panel-data.ts';
import { normalizeDashboard } from './model.ts';
import type { Series } from './panel-data.ts';

function series(timestamps: number[], values: number[]): Series {
  return { refId: 'A', name: 's', labels: {}, timestamps: Float64Array.from(timestamps), values: Float64Array.from(values) };
}

test('legends fill {{label}} from the series; no legend prints the series as Prometheus does', () => {
  assert.equal(formatLegend('{{method}} {{ endpoint }}', { method: 'GET', endpoint: '/a' }), 'GET /a');
  assert.equal(formatLegend('{{missing}}-x', {}), '-x');
  assert.equal(formatLegend('', { __name__: 'up', job: 'api' }), 'up{job="api"}');
  assert.equal(formatLegend('__auto', { job: 'api' }), '{job="api"}');
});

test('reducers skip gaps (NaN) except last/first', () => {
  const entry = series([1, 2, 3, 4], [2, Number.NaN, 6, Number.NaN]);
  assert.equal(reduceSeries(entry, 'lastNotNull'), 6);
  assert.equal(reduceSeries(entry, 'last'), null);
  assert.equal(reduceSeries(entry, 'first'), 2);
  assert.equal(reduceSeries(entry, 'mean'), 4);
  assert.equal(reduceSeries(entry, 'max'), 6);
  assert.equal(reduceSeries(entry, 'min'), 2);
  assert.equal(reduceSeries(entry, 'sum'), 8);
  assert.equal(reduceSeries(entry, 'count'), 2);
  assert.equal(reduceSeries(entry, 'range'), 4);
  assert.equal(reduceSeries(series([], []), 'mean'), null);
});

test('series align on the union of timestamps, in seconds, with null gaps', () => {
  const aligned = alignSeries([series([1000, 2000], [1, 2]), series([2000, 3000], [5, Number.POSITIVE_INFINITY])]);
  assert.deepEqual(aligned.x, [1, 2, 3]);
  assert.deepEqual(aligned.ys, [
    [1, 2, null],
    [null, 5, null],
  ]);
});

test("the panel interval follows Grafana: range / width, rounded, at least the minimum interval", () => {
  const [panel, withMinimum] = normalizeDashboard({ panels: [{ type: 'timeseries' }, { type: 'timeseries', interval: '>2m' }] }).panels;
  const context = { fromMs: 0, toMs: 21_600_000, widthPixels: 1200, variables: new Map(), dashboardTitle: '', dashboardUid: '' };
  assert.equal(panelBuiltins(panel, context).intervalMs, 20_000);
  assert.equal(panelBuiltins(panel, context).rateIntervalMs, 60_000);
  assert.equal(panelBuiltins(withMinimum, context).intervalMs, 120_000);
  assert.equal(panelBuiltins(panel, { ...context, toMs: 3_600_000 }).intervalMs, 15_000);
});
