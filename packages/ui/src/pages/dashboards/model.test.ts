import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactLayout, fieldForSeries, mapValue, normalizeDashboard, sections, unwrapDashboard } from './model.ts';

test('bare and {"dashboard": …} wrapped JSON; anything else is refused with the reason', () => {
  assert.deepEqual(unwrapDashboard({ dashboard: { title: 'x', panels: [] } }), { title: 'x', panels: [] });
  assert.deepEqual(unwrapDashboard({ title: 'x', panels: [] }), { title: 'x', panels: [] });
  assert.throws(() => unwrapDashboard([1]), /JSON object/);
  assert.throws(() => unwrapDashboard({ title: 'x' }), /no "panels" or "rows"/);
});

test('a seed-style classic dashboard: graph, singlestat with thresholds, panels without gridPos flow two per row', () => {
  const model = normalizeDashboard({
    dashboard: {
      title: 'Chorus Bridge - Main Dashboard',
      panels: [
        { title: 'Request Rate', type: 'graph', targets: [{ expr: 'rate(x[5m])', legendFormat: 'Events/sec' }], yAxes: [{ label: 'Requests/sec', format: 'reqps', min: 0 }] },
        { title: 'Error Rate', targets: [{ expr: 'rate(y[5m])' }] },
        { title: 'Sessions', type: 'singlestat', format: 'percent', valueName: 'current', thresholds: '50,80', colors: ['green', 'orange', 'red'], colorBackground: true, sparkline: { show: true }, targets: [{ expr: 'z' }] },
        { title: 'Map', type: 'grafana-worldmap-panel' },
      ],
    },
  });
  assert.equal(model.title, 'Chorus Bridge - Main Dashboard');
  assert.equal(model.time.from, 'now-6h');
  const [graph, untyped, stat, unknown] = model.panels;
  assert.equal(graph.type, 'timeseries');
  assert.equal(graph.fieldConfig.unit, 'reqps');
  assert.equal(graph.fieldConfig.min, 0);
  assert.equal(graph.fieldConfig.custom.axisLabel, 'Requests/sec');
  assert.equal(graph.fieldConfig.custom.fillOpacity, 10);
  assert.deepEqual(graph.targets[0], { refId: 'A', expr: 'rate(x[5m])', legendFormat: 'Events/sec', instant: false, hide: false, interval: '', intervalFactor: 1, format: 'time_series' });
  assert.equal(untyped.type, 'timeseries');
  assert.equal(untyped.originalType, '(none)');
  assert.deepEqual([graph.gridPos, untyped.gridPos], [{ x: 0, y: 0, w: 12, h: 8 }, { x: 12, y: 0, w: 12, h: 8 }]);
  assert.equal(stat.type, 'stat');
  assert.deepEqual(stat.options.reduceOptions.calcs, ['lastNotNull']);
  assert.equal(stat.options.colorMode, 'background');
  assert.equal(stat.options.graphMode, 'area');
  assert.deepEqual(stat.fieldConfig.thresholds.steps, [{ value: null, color: 'green' }, { value: 50, color: 'orange' }, { value: 80, color: 'red' }]);
  assert.equal(stat.gridPos.y, 8);
  assert.equal(unknown.type, 'grafana-worldmap-panel');
});

test('classic rows with span and height become row panels and grid positions; collapsed rows hold their panels', () => {
  const model = normalizeDashboard({
    title: 'Rows',
    rows: [
      { title: 'Overview', showTitle: true, height: '250px', panels: [{ type: 'graph', span: 8, title: 'a' }, { type: 'singlestat', span: 4, title: 'b' }] },
      { title: 'Details', collapse: true, panels: [{ type: 'graph', span: 12, title: 'c' }] },
    ],
  });
  const [overview, a, b, details] = model.panels;
  assert.equal(overview.type, 'row');
  assert.deepEqual(a.gridPos, { x: 0, y: 1, w: 16, h: 7 });
  assert.deepEqual(b.gridPos, { x: 16, y: 1, w: 8, h: 7 });
  assert.equal(details.collapsed, true);
  assert.deepEqual(details.panels.map((panel) => panel.title), ['c']);
  assert.deepEqual(sections(model.panels).map((section) => [section.row?.title ?? null, section.panels.map((panel) => panel.title)]), [['Overview', ['a', 'b']], ['Details', ['c']]]);
});

test('current schema: fieldConfig, options, gridPos, compaction closes vertical gaps', () => {
  const model = normalizeDashboard({
    uid: 'abc',
    panels: [
      { id: 1, type: 'stat', gridPos: { x: 0, y: 0, w: 6, h: 4 }, fieldConfig: { defaults: { unit: 'bytes', decimals: 1, thresholds: { mode: 'percentage', steps: [{ value: null, color: 'green' }, { value: 90, color: 'red' }] } } }, options: { reduceOptions: { calcs: ['max'] }, colorMode: 'none', graphMode: 'none' } },
      { id: 2, type: 'timeseries', gridPos: { x: 0, y: 10, w: 24, h: 8 }, fieldConfig: { defaults: { custom: { stacking: { mode: 'percent' }, drawStyle: 'bars' } } }, options: { legend: { displayMode: 'table', placement: 'right', calcs: ['mean'], sortBy: 'Mean', sortDesc: true } } },
    ],
  });
  const [stat, series] = model.panels;
  assert.equal(model.uid, 'abc');
  assert.equal(stat.fieldConfig.unit, 'bytes');
  assert.equal(stat.fieldConfig.thresholds.mode, 'percentage');
  assert.deepEqual(stat.options.reduceOptions.calcs, ['max']);
  assert.equal(stat.options.graphMode, 'none');
  assert.equal(series.fieldConfig.custom.stacking, 'percent');
  assert.equal(series.fieldConfig.custom.drawStyle, 'bars');
  assert.deepEqual(series.options.legend, { showLegend: true, displayMode: 'table', placement: 'right', calcs: ['mean'], sortBy: 'mean', sortDesc: true });
  assert.equal(series.cursorSync, '');
  assert.equal(normalizeDashboard({ uid: 'u', graphTooltip: 1, panels: [{ type: 'timeseries' }] }).panels[0].cursorSync, 'dashboard-u');
  assert.deepEqual(compactLayout(model.panels).get(series), { x: 0, y: 4, w: 24, h: 8 });
  assert.equal(model.timeZone, 'browser');
  const utc = normalizeDashboard({ timezone: 'utc', panels: [{ type: 'row', collapsed: true, panels: [{ type: 'stat' }] }] });
  assert.equal(utc.timeZone, 'utc');
  assert.equal(utc.panels[0].panels[0].timeZone, 'utc');
});

test('value mappings: current, Grafana 7 and classic singlestat forms; first match wins', () => {
  const current = normalizeDashboard({
    panels: [
      {
        type: 'stat',
        fieldConfig: {
          defaults: {
            mappings: [
              { type: 'value', options: { '0': { text: 'Down', color: 'red' }, '1': { text: 'Up', color: 'green' } } },
              { type: 'range', options: { from: 2, to: 10, result: { text: 'Degraded' } } },
              { type: 'regex', options: { pattern: '/^1\\d\\d$/', result: { text: 'Hundreds' } } },
              { type: 'special', options: { match: 'null', result: { text: 'Missing' } } },
            ],
          },
        },
      },
    ],
  }).panels[0].fieldConfig.mappings;
  assert.equal(mapValue(0, current)?.text, 'Down');
  assert.equal(mapValue(1, current)?.color, 'green');
  assert.equal(mapValue(5, current)?.text, 'Degraded');
  assert.equal(mapValue(150, current)?.text, 'Hundreds');
  assert.equal(mapValue(null, current)?.text, 'Missing');
  assert.equal(mapValue(11, current), null);

  const grafana7 = normalizeDashboard({ panels: [{ type: 'stat', fieldConfig: { defaults: { mappings: [{ id: 0, type: 1, value: '1', text: 'UP' }, { id: 1, type: 2, from: '2', to: '5', text: 'MANY' }] } } }] }).panels[0].fieldConfig.mappings;
  assert.equal(mapValue(1, grafana7)?.text, 'UP');
  assert.equal(mapValue(3, grafana7)?.text, 'MANY');

  const classic = normalizeDashboard({ panels: [{ type: 'singlestat', valueMaps: [{ value: '0', op: '=', text: 'DOWN' }, { value: 'null', op: '=', text: 'N/A' }], mappingType: 1 }] }).panels[0].fieldConfig.mappings;
  assert.equal(mapValue(0, classic)?.text, 'DOWN');
  assert.equal(mapValue(null, classic)?.text, 'N/A');
});

test('overrides apply per series by name, regex and query; classic seriesOverrides by alias', () => {
  const [panel] = normalizeDashboard({
    panels: [
      {
        type: 'timeseries',
        fieldConfig: {
          defaults: { unit: 'short' },
          overrides: [
            { matcher: { id: 'byName', options: 'errors' }, properties: [{ id: 'unit', value: 'percent' }, { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }] },
            { matcher: { id: 'byRegexp', options: '/^lat.*/' }, properties: [{ id: 'displayName', value: 'Latency' }, { id: 'custom.hideFrom', value: { legend: true, tooltip: false, viz: false } }] },
            { matcher: { id: 'byFrameRefID', options: 'B' }, properties: [{ id: 'decimals', value: 3 }, { id: 'custom.hideFrom', value: { legend: false, tooltip: false, viz: true } }] },
            { matcher: { id: 'byType', options: 'number' }, properties: [{ id: 'unit', value: 'bytes' }] },
          ],
        },
      },
    ],
  }).panels;
  const errors = fieldForSeries(panel, { name: 'errors', refId: 'A' });
  assert.equal(errors.unit, 'percent');
  assert.deepEqual(errors.color, { mode: 'fixed', fixedColor: 'red' });
  const latency = fieldForSeries(panel, { name: 'latency_p95', refId: 'A' });
  assert.equal(latency.displayName, 'Latency');
  assert.equal(latency.hideFromLegend, true);
  assert.equal(latency.unit, 'short');
  const fromB = fieldForSeries(panel, { name: 'other', refId: 'B' });
  assert.equal(fromB.decimals, 3);
  assert.equal(fromB.hideFromViz, true);
  assert.equal(panel.fieldConfig.unit, 'short', 'defaults stay untouched');

  const [classic] = normalizeDashboard({ panels: [{ type: 'graph', seriesOverrides: [{ alias: 'errors', color: '#F2495C', fill: 0 }, { alias: '/^p9/', linewidth: 3 }] }] }).panels;
  assert.deepEqual(fieldForSeries(classic, { name: 'errors', refId: 'A' }).color, { mode: 'fixed', fixedColor: '#F2495C' });
  assert.equal(fieldForSeries(classic, { name: 'errors', refId: 'A' }).custom.fillOpacity, 0);
  assert.equal(fieldForSeries(classic, { name: 'p99', refId: 'A' }).custom.lineWidth, 3);
  assert.equal(fieldForSeries(classic, { name: 'x', refId: 'A' }).custom.lineWidth, 1);
});
