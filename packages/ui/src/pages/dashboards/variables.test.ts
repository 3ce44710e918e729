import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VariableModel } from './model.ts';
import { ALL_VALUE, applyVariableRegex, customOptions, initialSelection, interpolate, parseVariableQuery, sortOptions } from './variables.ts';
import type { BuiltinValues, VariableState } from './variables.ts';

function model(overrides: Partial<VariableModel>): VariableModel {
  return { name: 'x', type: 'query', label: '', hide: 0, query: '', regex: '', multi: false, includeAll: false, allValue: null, current: null, options: [], sort: 0, auto: false, autoCount: 30, autoMin: '10s', ...overrides };
}

const builtins: BuiltinValues = { intervalMs: 30_000, rateIntervalMs: 60_000, rangeMs: 21_600_000, fromMs: 1000, toMs: 21_601_000, dashboardTitle: 'D', dashboardUid: 'u' };

function states(...list: VariableState[]): Map<string, VariableState> {
  return new Map(list.map((state) => [state.model.name, state]));
}

test('the query forms of the Prometheus data source', () => {
  assert.deepEqual(parseVariableQuery('label_values(job)'), { kind: 'label_values', label: 'job', match: null });
  assert.deepEqual(parseVariableQuery('label_values(up{env="prod"}, instance)'), { kind: 'label_values', label: 'instance', match: 'up{env="prod"}' });
  assert.deepEqual(parseVariableQuery('label_names()'), { kind: 'label_names', match: null });
  assert.deepEqual(parseVariableQuery('metrics(^http_.*)'), { kind: 'metrics', regex: '^http_.*' });
  assert.deepEqual(parseVariableQuery('query_result(topk(3, up))'), { kind: 'query_result', expr: 'topk(3, up)' });
  assert.deepEqual(parseVariableQuery('up{job="a"}'), { kind: 'series', match: 'up{job="a"}' });
});

test('regex, sort and custom options', () => {
  assert.deepEqual(applyVariableRegex(['api-1:80', 'api-2:80', 'db:5432'], '/api-(\\d+)/'), [{ text: '1', value: '1' }, { text: '2', value: '2' }]);
  assert.deepEqual(applyVariableRegex(['a=1', 'b=2'], '/(?<text>\\w)=(?<value>\\d)/'), [{ text: 'a', value: '1' }, { text: 'b', value: '2' }]);
  assert.deepEqual(sortOptions([{ text: 'b10', value: '' }, { text: 'a2', value: '' }, { text: 'C1', value: '' }], 3).map((option) => option.text), ['C1', 'a2', 'b10']);
  assert.deepEqual(sortOptions([{ text: 'b', value: '' }, { text: 'a', value: '' }], 2).map((option) => option.text), ['b', 'a']);
  assert.deepEqual(customOptions('a, b\\,c , Prod : prod'), [{ text: 'a', value: 'a' }, { text: 'b,c', value: 'b,c' }, { text: 'Prod', value: 'prod' }]);
});

test('interpolation: $var, ${var}, [[var]], formats, multi-value and All as Grafana does for Prometheus', () => {
  const job = { model: model({ name: 'job' }), options: [{ text: 'api', value: 'api' }], selected: ['api'], error: null };
  const instance = { model: model({ name: 'instance', multi: true, includeAll: true }), options: ['a:1', 'b.c:2'].map((value) => ({ text: value, value })), selected: ['a:1', 'b.c:2'], error: null };
  const all = { model: model({ name: 'all', includeAll: true }), options: ['x', 'y'].map((value) => ({ text: value, value })), selected: [ALL_VALUE], error: null };
  const custom = { model: model({ name: 'custom', includeAll: true, allValue: '.*' }), options: [{ text: 'x', value: 'x' }], selected: [ALL_VALUE], error: null };
  const variables = states(job, instance, all, custom);
  assert.equal(interpolate('up{job="$job"}', variables, builtins), 'up{job="api"}');
  assert.equal(interpolate('up{job="${job}",x="[[job]]"}', variables, builtins), 'up{job="api",x="api"}');
  assert.equal(interpolate('up{instance=~"$instance"}', variables, builtins), 'up{instance=~"(a:1|b\\\\.c:2)"}');
  assert.equal(interpolate('up{i=~"$all"}', variables, builtins), 'up{i=~"(x|y)"}');
  assert.equal(interpolate('up{i=~"$custom"}', variables, builtins), 'up{i=~".*"}');
  assert.equal(interpolate('${instance:csv} ${instance:pipe} ${instance:json} ${all:text}', variables, builtins), 'a:1,b.c:2 a:1|b.c:2 ["a:1","b.c:2"] All');
  assert.equal(interpolate('rate(x[$__rate_interval]) [$__interval] $__range $__range_s', variables, builtins), 'rate(x[1m]) [30s] 21600s 21600');
  assert.equal(interpolate('$unknown and $job', variables, builtins), '$unknown and api');
  assert.equal(interpolate('$job', variables, builtins, { job: 'scoped' }), 'scoped');
});

test('selection: URL first, then the saved current value, then All or the first option', () => {
  const options = ['a', 'b', 'c'].map((value) => ({ text: value, value }));
  assert.deepEqual(initialSelection(model({ multi: true }), options, ['b', 'c']), ['b', 'c']);
  assert.deepEqual(initialSelection(model({}), options, ['b', 'c']), ['b']);
  assert.deepEqual(initialSelection(model({ includeAll: true }), options, ['$__all']), [ALL_VALUE]);
  assert.deepEqual(initialSelection(model({ current: { text: 'c', value: 'c' } }), options, []), ['c']);
  assert.deepEqual(initialSelection(model({ includeAll: true }), options, ['gone']), [ALL_VALUE]);
  assert.deepEqual(initialSelection(model({}), options, []), ['a']);
  assert.deepEqual(initialSelection(model({ type: 'textbox', query: 'default' }), [], []), ['default']);
  assert.deepEqual(initialSelection(model({ type: 'textbox', query: 'default' }), [], ['typed']), ['typed']);
});
