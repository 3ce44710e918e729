import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exploreUrlFromPrometheusLink } from './prometheus-link.ts';

const explore = (search: string) => exploreUrlFromPrometheusLink(new URLSearchParams(search));

test("Prometheus's graph links open Explore with the same query, tab and range", () => {
  assert.equal(explore('g0.expr=up%7Bjob%3D%22api%22%7D+%3D%3D+0&g0.tab=1'), '/explore?query=up%7Bjob%3D%22api%22%7D+%3D%3D+0&view=table');
  assert.equal(explore('g0.expr=rate(x%5B5m%5D)&g0.tab=0&g0.range_input=6h&g0.stacked=1'), '/explore?query=rate%28x%5B5m%5D%29&from=now-6h&to=now&stacked=1');
  const end = Date.UTC(2026, 0, 2, 10, 0, 0);
  assert.equal(explore('g0.expr=up&g0.range_input=1h&g0.end_input=2026-01-02%2010%3A00%3A00&g0.step_input=30'), `/explore?query=up&from=${end - 3_600_000}&to=${end}&step=30s`);
  assert.equal(explore(''), '/explore');
});
