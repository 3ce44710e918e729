/**
 * Differential test: several hundred PromQL queries asked of a real Prometheus 2.42 and of Vigil,
 * over the same generated data backfilled into both (promtool / `vigil import`); every answer must
 * agree — result type, series, timestamps, values within 1e-6 relative, error types.
 *
 * The data (test/support/promql-differential-data.ts) and the queries
 * (test/support/promql-differential-queries.ts) are built so that the semantics that changed between
 * 2.42 and 3.x cannot matter; their file comments list each exclusion and why. Run alone with
 *   node --import tsx --test test/interop/promql-differential.test.ts
 * PROMQL_DIFFERENTIAL_FILTER=<substring> limits it to the expressions containing the substring.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compareAnswers, askQueryApi, summarizeAnswer } from '../support/promql-answers.ts';
import type { ApiAnswer } from '../support/promql-answers.ts';
import { PROMETHEUS_BIN, PROMTOOL_BIN, startBackfilledServers } from '../support/backfilled-servers.ts';
import type { BackfilledServers } from '../support/backfilled-servers.ts';
import { writeDifferentialData } from '../support/promql-differential-data.ts';
import type { DifferentialDataset } from '../support/promql-differential-data.ts';
import { differentialQueries } from '../support/promql-differential-queries.ts';
import type { DifferentialQuery } from '../support/promql-differential-queries.ts';
import { requireBinary, tempDir } from '../support/vigil.ts';

const skip = requireBinary(PROMETHEUS_BIN) || requireBinary(PROMTOOL_BIN);
/** The whole test stays under three minutes: setup, then queries until this deadline. */
const TOTAL_BUDGET_MS = 170_000;
const CONCURRENCY = 3;
const SHOW_FAILURES = 8;

function params(query: DifferentialQuery): Record<string, string> {
  if (query.kind === 'instant') return { query: query.expr, time: String(query.time) };
  return { query: query.expr, start: String(query.time), end: String(query.end), step: String(query.step) };
}

function describeQuery(query: DifferentialQuery): string {
  return query.kind === 'instant' ? `instant ${JSON.stringify(query.expr)} at ${query.time}` : `range ${JSON.stringify(query.expr)} ${query.time}…${query.end} step ${query.step}`;
}

describe('PromQL answers: Vigil vs Prometheus 2.42 on the same backfilled data', { skip, timeout: TOTAL_BUDGET_MS + 10_000 }, () => {
  const started = Date.now();
  const dir = tempDir('vigil-promql-diff-');
  let servers: BackfilledServers | null = null;
  let dataset: DifferentialDataset;

  before(async () => {
    const file = join(dir.path, 'data.om.txt');
    dataset = writeDifferentialData(file);
    servers = await startBackfilledServers(file, dir.path);
  });

  after(async () => {
    await servers?.stop();
    dir.remove();
  });

  it('the data is what the queries assume', async () => {
    assert.ok(servers !== null);
    // Both systems hold every generated series: a count that any import loss would change.
    for (const [name, base] of [['Prometheus', servers.prometheusUrl], ['Vigil', servers.vigilUrl]] as const) {
      const answer = await askQueryApi(base, '/api/v1/query', { query: 'count(last_over_time({__name__=~".+"}[6h]))', time: String(Math.round(dataset.end / 1000) + 60) });
      assert.equal(answer.status, 'success', `${name}: ${summarizeAnswer(answer)}`);
      const result = (answer.data?.result ?? []) as { value: [number, string] }[];
      assert.equal(Number(result[0]?.value[1]), dataset.series, `${name} holds ${result[0]?.value[1]} series, generated ${dataset.series}`);
    }
  });

  it('answers every query like Prometheus 2.42', async () => {
    assert.ok(servers !== null);
    const { prometheusUrl, vigilUrl } = servers;
    const filter = process.env.PROMQL_DIFFERENTIAL_FILTER;
    const queries = differentialQueries(dataset).filter((q) => filter === undefined || q.expr.includes(filter));
    assert.ok(filter !== undefined || queries.length >= 600, `only ${queries.length} queries`);
    const deadline = started + TOTAL_BUDGET_MS;
    const failures: { query: DifferentialQuery; difference: string; prometheus: ApiAnswer; vigil: ApiAnswer }[] = [];
    let next = 0;
    let done = 0;
    // Agreement on empty answers proves little: most queries must select something.
    let nonEmpty = 0;
    const worker = async () => {
      while (next < queries.length && Date.now() < deadline) {
        const query = queries[next++];
        const path = query.kind === 'instant' ? '/api/v1/query' : '/api/v1/query_range';
        const remaining = Math.max(1000, deadline - Date.now());
        const [prometheus, vigil] = await Promise.all([askQueryApi(prometheusUrl, path, params(query), remaining), askQueryApi(vigilUrl, path, params(query), remaining)]);
        if (prometheus.status === 'success' && !(Array.isArray(prometheus.data?.result) && prometheus.data.result.length === 0)) nonEmpty++;
        const difference = compareAnswers(prometheus, vigil, query.ordered === true);
        if (difference !== null) failures.push({ query, difference, prometheus, vigil });
        done++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    const lines = [`${failures.length} of ${done} queries differ (${queries.length} planned, ${seconds} s including setup)`];
    const order = (a: (typeof failures)[number], b: (typeof failures)[number]) => queries.indexOf(a.query) - queries.indexOf(b.query);
    for (const failure of failures.sort(order).slice(0, SHOW_FAILURES)) {
      lines.push(`- ${describeQuery(failure.query)}: ${failure.difference}`, `    Prometheus: ${summarizeAnswer(failure.prometheus)}`, `    Vigil:      ${summarizeAnswer(failure.vigil)}`);
    }
    if (failures.length > SHOW_FAILURES) {
      lines.push(`… and ${failures.length - SHOW_FAILURES} more:`);
      for (const failure of failures.slice(SHOW_FAILURES, SHOW_FAILURES + 60)) lines.push(`- ${describeQuery(failure.query)}: ${failure.difference.slice(0, 160)}`);
    }
    if (done < queries.length) lines.push(`ran out of time: ${queries.length - done} queries not asked within ${TOTAL_BUDGET_MS / 1000} s`);
    assert.ok(failures.length === 0 && done === queries.length, lines.join('\n'));
    if (filter === undefined) assert.ok(nonEmpty >= 0.9 * done, `only ${nonEmpty} of ${done} queries have a non-empty answer in Prometheus`);
  });
});
