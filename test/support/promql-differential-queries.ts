/**
 * The queries of the PromQL differential test: several hundred expressions built from templates over
 * the metric names of test/support/promql-differential-data.ts, each asked once as an instant query
 * and once as a range query, at times and on step grids that never coincide with a sample.
 *
 * Left out on purpose, because Prometheus 2.42 and the 3.x semantics Vigil follows disagree by design
 * (docs/migration.md and CHANGELOG.md of the Prometheus repository), or because 2.42 lacks them:
 * - `holt_winters`: renamed to `double_exponential_smoothing` in 3.0 and put behind the experimental
 *   flag (#14930); 3.x rejects the old name, 2.42 does not know the new one.
 * - functions that 2.42 does not have: `mad_over_time`, `sort_by_label[_desc]`, `limitk`,
 *   `limit_ratio`, `first_over_time`, `ts_of_*_over_time`, `info`, `histogram_avg`,
 *   `histogram_stddev`, `histogram_stdvar`, `histogram_quantiles`, `start()`/`end()`/`range()`/
 *   `step()` as functions, `min_of`/`max_of`, duration arithmetic (`[5m+1m]`), `1_000` literals.
 * - native-histogram functions (`histogram_count`, `histogram_sum`, `histogram_fraction`): the data
 *   is classic histograms only, and 3.x gave `histogram_fraction` a classic-bucket mode (#16095).
 * - `round()` as the outermost function on a selector, and the `atan2` operator: 2.42 kept the
 *   metric name, later versions drop it (#15250; 531567d in 2.47); both are compared inside a
 *   name-dropping arithmetic expression instead.
 * - `label_replace`/`label_join` into names that are invalid in 2.42 but valid UTF-8 names in 3.x
 *   (#15974), and regexes whose `.` would meet a newline (3.x matches newlines; no label here has one).
 * - `topk`/`bottomk` with a NaN parameter (an error since 3.x, #16725) and on series with tied
 *   values (which tied series survives is not specified).
 * - rate/increase extrapolation towards zero (#13725): the data keeps extrapolated counters far
 *   from zero; `errors_zero_reset_total` (which starts at and resets to 0) only meets functions
 *   that do not extrapolate.
 * - many-to-one checks on filtering comparisons (#17668) and label collisions after unary minus or
 *   label_replace across different metric names (#17703, #17708): no query here produces them.
 * - ranges and lookback are closed `[t-r, t]` in 2.42 and left-open `(t-r, t]` in 3.x (#13904,
 *   subqueries #15431): every sample sits at a 125…875 ms fraction of a second, every range, step,
 *   offset and `@` time is a whole number of seconds, and every evaluation time (instant times,
 *   range starts) is a whole second + 100 ms. So no range or lookback boundary meets a sample, and
 *   no subquery window boundary meets one of the subquery's own steps (whole multiples of its
 *   step since the epoch). A subquery nested in another runs at the outer one's steps (whole
 *   seconds), so its range is chosen not to be a multiple of its step.
 * - `lookback_delta` and `limit` query parameters (API additions after 2.42).
 * - annotations (warnings, infos): 3.x added many (#12152 and later); only results are compared.
 */

export interface DifferentialQuery {
  /** The PromQL text. */
  expr: string;
  kind: 'instant' | 'range';
  /** Instant: evaluation time; range: start. Seconds (whole). */
  time: number;
  end?: number;
  step?: number;
  /** The result order matters (top-level sort/sort_desc in an instant query). */
  ordered?: boolean;
}

export interface QueryTimes {
  start: number; // ms, data start
  lateStart: number;
  stop: number;
  outageStart: number;
  end: number;
}

const COUNTERS = ['http_requests_total', 'http_requests_total{code="200",method="GET"}', 'process_cpu_seconds_total', 'http_request_duration_seconds_count', 'http_requests_total{job=~"api|db",code!~"2.."}'];
const GAUGES = ['temperature_celsius', 'memory_bytes', 'ratio_tiny', 'queue_length', 'temperature_celsius{sensor!="inlet"}'];
const RANGE_WINDOWS = ['1m', '5m', '17m', '1h'];
const GAUGE_WINDOWS = ['2m', '10m', '1h'];

/** Every expression of the test (without times). */
export function differentialExpressions(times: QueryTimes): string[] {
  const at = Math.round(times.start / 1000) + 2 * 3600 + 7;
  const exprs: string[] = [];
  const add = (...e: string[]) => exprs.push(...e);

  // Selectors, matchers, offset and @.
  add('up', 'up{job="batch"}', 'http_requests_total{code="500"}', 'http_requests_total{job=~"api|db",code!~"2.."}', 'temperature_celsius{sensor!="inlet"}');
  add('{__name__=~"temperature_celsius|queue_length"}', '{job="cache",__name__!~"http_.*"}', 'queue_length{instance=~"(api|db)-[0-9]:8080"}', 'up{instance!~".*-1:8080"}');
  for (const g of ['temperature_celsius', 'memory_bytes', 'up', 'http_requests_total{code="404"}']) {
    add(`${g} offset 5m`, `${g} offset 1h`, `${g} offset -10m`, `${g} @ ${at}`, `${g} @ start()`, `${g} @ end()`, `${g} @ ${at} offset 10m`);
  }
  add('nonexistent_metric', 'up{job="nope"}', 'temperature_celsius[1m]', 'http_requests_total{code="500",instance="api-0:8080"}[2m]', 'up[5m] offset 1h');

  // Counter range functions (extrapolating ones only on counters kept far from zero).
  for (const c of COUNTERS) {
    for (const fn of ['rate', 'irate', 'increase', 'resets', 'changes']) {
      for (const w of RANGE_WINDOWS) add(`${fn}(${c}[${w}])`);
    }
  }
  for (const fn of ['resets', 'changes', 'irate', 'idelta', 'max_over_time', 'last_over_time', 'count_over_time']) {
    for (const w of ['1m', '10m', '1h']) add(`${fn}(errors_zero_reset_total[${w}])`);
  }
  add('rate(http_requests_total[5m] offset 30m)', 'increase(http_requests_total[10m] @ ' + at + ')', 'rate(process_cpu_seconds_total[3m] @ end())');

  // Gauge range functions and *_over_time.
  for (const g of GAUGES) {
    for (const w of GAUGE_WINDOWS) {
      for (const fn of ['delta', 'idelta', 'deriv', 'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'stddev_over_time', 'stdvar_over_time', 'last_over_time', 'present_over_time', 'changes', 'resets']) {
        add(`${fn}(${g}[${w}])`);
      }
      add(`predict_linear(${g}[${w}], 600)`, `quantile_over_time(0.9, ${g}[${w}])`);
    }
    add(`quantile_over_time(0, ${g}[10m])`, `quantile_over_time(1, ${g}[10m])`, `quantile_over_time(0.5, ${g}[10m])`, `quantile_over_time(-1, ${g}[5m])`, `quantile_over_time(2, ${g}[5m])`, `predict_linear(${g}[30m], -300)`);
  }
  add('absent_over_time(up{instance="batch-0:8080"}[10m])', 'absent_over_time(nonexistent_metric[5m])', 'absent_over_time(up[5m])', 'absent_over_time(up{job="db",instance="db-1:8080"}[2m])');

  // Aggregations.
  const aggregated = ['temperature_celsius', 'rate(http_requests_total[5m])', 'memory_bytes', 'ratio_tiny'];
  for (const op of ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar']) {
    for (const inner of aggregated) {
      for (const grouping of ['', ' by (job)', ' without (instance)']) add(`${op}${grouping} (${inner})`);
    }
  }
  add('sum by (job, code) (rate(http_requests_total[5m]))', 'sum without (method, instance) (increase(http_requests_total[1h]))', 'avg by (sensor) (temperature_celsius)', 'count by (__name__) ({job="api"})');
  add('sum(up)', 'count(up == 0)', 'max by (instance) (queue_length)', 'sum by () (queue_length)', 'min without () (temperature_celsius)');
  for (const grouping of ['', ' by (job)', ' without (sensor)']) {
    add(`topk${grouping} (3, temperature_celsius)`, `bottomk${grouping} (2, memory_bytes)`, `topk${grouping} (1, rate(process_cpu_seconds_total[5m]))`);
    for (const q of ['0', '0.25', '0.5', '0.95', '1', '-0.5', '1.5']) add(`quantile${grouping} (${q}, temperature_celsius)`);
    add(`count_values${grouping} ("value", queue_length)`, `count_values${grouping} ("bucket", floor(temperature_celsius / 10))`);
  }
  add('topk(0, up)', 'topk(-1, temperature_celsius)', 'bottomk(1000, memory_bytes)', 'count_values("job", queue_length)', 'quantile(scalar(up{instance="api-0:8080"}) * 0.9, temperature_celsius)');

  // Binary operators.
  for (const op of ['+', '-', '*', '/', '%', '^', 'atan2']) {
    // atan2 kept the metric name before 2.47 (Prometheus 531567d): compared after a `+ 0` that drops it.
    const wrap = (e: string) => (op === 'atan2' ? `(${e}) + 0` : e);
    add(wrap(`temperature_celsius ${op} 2.5`), wrap(`2.5 ${op} temperature_celsius`), wrap(`http_request_duration_seconds_sum ${op} http_request_duration_seconds_count`));
    add(wrap(`memory_bytes ${op} on(instance, job) group_left ratio_tiny`));
  }
  add('temperature_celsius ^ 3', '-temperature_celsius', 'queue_length % -3', 'memory_bytes / 0', '-memory_bytes / 0', 'ratio_tiny * 0 / 0', 'ratio_tiny * 1e300 * 1e300');
  for (const op of ['==', '!=', '>', '<', '>=', '<=']) {
    add(`temperature_celsius ${op} 10`, `queue_length ${op} 5`, `temperature_celsius ${op} bool 10`, `10 ${op} temperature_celsius`, `queue_length ${op} queue_length offset 5m`, `queue_length ${op} bool on(job, instance) queue_length offset 5m`, `3 ${op} bool 4`);
  }
  add('1 + 2', '2 ^ 10', '5 % 3', '-1 / 0', '0 / 0', '2 * -(3)', '1 < bool 2', '(1 + 2) * time()');
  add('rate(http_request_duration_seconds_sum[5m]) / rate(http_request_duration_seconds_count[5m])');
  add('http_requests_total * on(instance, job) group_left(version) build_info', 'rate(http_requests_total[5m]) / ignoring(code) group_left sum without (code) (rate(http_requests_total[5m]))');
  add('build_info * on(instance) group_right(version) queue_length', 'memory_bytes / ignoring(area) group_left memory_bytes{area="heap"}', 'temperature_celsius - on(instance, job) group_left avg by (instance, job) (temperature_celsius)');
  add('sum by (job, instance) (rate(http_requests_total[5m])) / on(job, instance) up', 'up * ignoring(sensor) group_right temperature_celsius', 'queue_length > on(instance) group_left() (0 * up + 5)');
  // Set operators.
  add('temperature_celsius and on(instance) queue_length > 5', 'up == 0 or queue_length', 'queue_length unless on(instance) up == 0', 'http_requests_total{code="500"} or http_requests_total{code="404"}');
  add('temperature_celsius > 0 unless temperature_celsius > 20', 'temperature_celsius and ignoring(sensor) queue_length', 'temperature_celsius and temperature_celsius{sensor="inlet"}', 'up or vector(7)', 'vector(1) and on() up{instance="db-1:8080"}', 'memory_bytes unless ignoring(area) memory_bytes{area="rss"} > 5e10');
  add('(up == 1) and on(job) (sum by (job) (up) > 2)', 'queue_length or on(instance) temperature_celsius', 'nonexistent_metric or up{job="cache"}', 'up{job="cache"} unless nonexistent_metric');

  // Classic histograms.
  for (const q of ['0', '0.5', '0.9', '0.99', '1', '-0.5', '1.5']) add(`histogram_quantile(${q}, rate(http_request_duration_seconds_bucket[5m]))`);
  for (const q of ['0.5', '0.9', '0.99']) {
    add(`histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))`, `histogram_quantile(${q}, sum by (le, job) (rate(http_request_duration_seconds_bucket[10m])))`);
    add(`histogram_quantile(${q}, sum by (le, handler) (increase(http_request_duration_seconds_bucket[1h])))`, `histogram_quantile(${q}, http_request_duration_seconds_bucket)`);
  }
  add('histogram_quantile(0.9, sum without (instance) (rate(http_request_duration_seconds_bucket{handler="/healthz"}[2m])))', 'histogram_quantile(scalar(up{instance="cache-0:8080"}) * 0.75, rate(http_request_duration_seconds_bucket[5m]))');

  // Label manipulation.
  add('label_replace(up, "host", "$1", "instance", "(.*):.*")', 'label_replace(temperature_celsius, "sensor", "x-$1", "sensor", "(in|out).*")', 'label_replace(up, "foo", "bar", "nonexistent", "")');
  add('label_replace(up, "instance", "", "instance", ".*")', 'label_replace(up, "__name__", "renamed", "", "")', 'label_replace(queue_length, "port", "${1}0", "instance", ".*:(.*)")', 'label_replace(up, "job", "$2-$1", "instance", "([a-z]+)-([0-9]+):.*")');
  add('label_join(up, "target", "/", "job", "instance")', 'label_join(temperature_celsius, "id", "-", "sensor", "instance", "job")', 'label_join(up, "job", ",")', 'label_join(up, "copy", "", "instance")', 'label_join(rate(http_requests_total[5m]), "route", ":", "method", "code")');

  // Math and clamp.
  for (const fn of ['abs', 'ceil', 'floor', 'sgn', 'exp', 'ln', 'log2', 'log10', 'sqrt', 'sin', 'cos', 'tan', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'deg', 'rad']) {
    add(`${fn}(temperature_celsius)`);
  }
  for (const fn of ['asin', 'acos', 'atanh']) add(`${fn}(temperature_celsius / 100)`, `${fn}(temperature_celsius)`);
  add('acosh(memory_bytes / 1e9)', 'ln(memory_bytes)', 'log2(ratio_tiny)', 'sqrt(ratio_tiny)', 'exp(ratio_tiny)', 'exp(memory_bytes)', 'log10(queue_length)', 'pi()', 'deg(vector(pi()))', 'rad(vector(180))');
  add('round(temperature_celsius) + 0', 'round(temperature_celsius, 0.5) * 1', 'round(memory_bytes, 1e6) - 0', 'round(ratio_tiny, 1e-7) + 0', 'sum by (sensor) (round(temperature_celsius, 2))', 'round(vector(2.5))');
  add('clamp(temperature_celsius, -5, 5)', 'clamp_min(temperature_celsius, 0)', 'clamp_max(temperature_celsius, 10)', 'clamp(temperature_celsius, 5, -5)', 'clamp_min(memory_bytes, 5e10)', 'clamp_max(queue_length, scalar(up{instance="api-1:8080"}) * 3)');

  // Subqueries (every step a whole number of seconds: off the sample grid).
  add('max_over_time(rate(http_requests_total[5m])[30m:1m])', 'avg_over_time(temperature_celsius[20m:30s])', 'min_over_time(sum by (job) (rate(http_requests_total[2m]))[1h:5m])');
  add('rate(http_requests_total{code="200"}[5m:30s])', 'deriv(avg_over_time(temperature_celsius[5m])[30m:])', 'quantile_over_time(0.5, queue_length[15m:15s])', 'count_over_time(up[10m:1m] offset 5m)');
  add(`last_over_time(temperature_celsius[10m:1m] @ ${at})`, 'sum_over_time((up == 0)[1h:30s])', 'max_over_time(deriv(temperature_celsius[5m])[30m:2m])', 'stddev_over_time(memory_bytes[1h:7m])', 'increase(process_cpu_seconds_total[10m:1m])');
  add('avg_over_time(histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))[30m:1m])', 'present_over_time(up{instance="batch-1:8080"}[10m:1m])', 'max_over_time((time() - timestamp(up))[5m:1m])');

  // absent.
  add('absent(up)', 'absent(nonexistent_metric)', 'absent(nonexistent_metric{job="api",instance=~"x.*"})', 'absent(up{job="nope"})', 'absent(sum(nonexistent_metric))', 'absent(nonexistent_metric{job="a",job="b"})');

  // Time functions.
  add('time()', 'timestamp(up)', 'timestamp(temperature_celsius offset 1m)', 'time() - timestamp(up)', 'vector(time())', 'timestamp(vector(1))');
  for (const fn of ['hour', 'minute', 'month', 'year', 'day_of_month', 'day_of_week', 'day_of_year', 'days_in_month']) {
    add(`${fn}()`, `${fn}(timestamp(up))`, `${fn}(vector(${Math.round(times.end / 1000) - 86400 * 40}))`);
  }
  add('scalar(up{instance="api-0:8080"})', 'scalar(up)', 'scalar(nonexistent_metric)', 'vector(scalar(up{job="cache",instance="cache-1:8080"}))', 'year(vector(0))', 'day_of_week(vector(-86400))');

  // Sorting (instant queries compare the order).
  add('sort(temperature_celsius)', 'sort_desc(memory_bytes)', 'sort(rate(process_cpu_seconds_total[5m]))', 'sort_desc(sum by (job) (rate(http_requests_total[5m])))');

  // Literals and strings.
  add('1', '-2.5', '"a string"', 'vector(1)', 'scalar(vector(2)) * 3', '1e308 * 10', '+up', 'NaN', '-Inf', '0x1F', '(((temperature_celsius)))');

  // Mixed: value formatting in labels, modifiers inside functions, nested subqueries.
  add('count_values("v", temperature_celsius)', 'count_values("v", ratio_tiny)', 'count_values("v", memory_bytes)', 'count_values by (job) ("v", rate(process_cpu_seconds_total[5m]))');
  add('label_replace(up, "x", "$3", "instance", "(.*)-(.*)")', 'label_join(up, "x", "-", "nonexistent", "job")', 'group by (job) (up)', 'stddev by (job) (queue_length)', 'bottomk by (job) (1, temperature_celsius)');
  add('predict_linear(memory_bytes[1h] offset 30m, 3600)', 'rate(http_requests_total[1h] @ end())', 'min_over_time(temperature_celsius[1h] @ start())', 'sum_over_time(temperature_celsius[1h:] offset 30m)');
  // A subquery nested in a subquery is evaluated at the outer one's steps (whole multiples of 5m),
  // so its own window edge falls on its own steps unless its range is not a multiple of its step.
  add('max_over_time(avg_over_time(temperature_celsius[5m30s:1m])[30m:5m])', `timestamp(temperature_celsius @ ${at})`, '-1 * up offset 1h', 'ln(0 * up)', '-(-temperature_celsius)', 'changes(up[1h])', 'quantile_over_time(scalar(up{instance="api-2:8080"}) * 0.5, queue_length[10m])');
  add('sum without (le) (rate(http_request_duration_seconds_bucket[5m]))', 'histogram_quantile(0.75, sum by (le, instance) (rate(http_request_duration_seconds_bucket{handler="/healthz"}[15m])))', 'sort_desc(topk(5, memory_bytes))');

  // Errors: compared by errorType.
  add('rate(http_requests_total)', 'sum(', 'foo{', 'histogram_quantile("a", up)', 'time() + up[5m]', 'up{job=~"("}', 'unknown_function(up)', 'sum by (job) (up) / on(job) group_left up');
  add('http_requests_total / ignoring(code) http_requests_total', 'http_requests_total + on(job) group_left temperature_celsius', 'label_replace(up, "instance", "", "instance", ".*") + 1', 'rate(up[5m:1m:1m])', 'up[5m] + 1', 'topk(up, up)', '1 > 2', 'sum by (job) (up) offset 5m', 'rate(up[5m] @ foo)');
  return exprs;
}

/** Instant times and range grids (seconds) the expressions are cycled over. */
export function differentialGrids(times: QueryTimes): { instants: number[]; ranges: { start: number; end: number; step: number }[] } {
  // Whole seconds here; every evaluation time gets + 100 ms below (see the file comment).
  const s = (ms: number) => Math.round(ms / 1000);
  const t0 = s(times.start);
  const grids = {
    instants: [
      t0 + 3600 + 7,
      s(times.outageStart) + 5 * 60 + 3, // db-1 gone from instant selectors (outage longer than the lookback)
      s(times.lateStart) + 61, // batch-0 just started
      s(times.stop) + 4 * 60, // batch-1 stopped, still within the lookback
      s(times.stop) + 6 * 60 + 1, // batch-1 gone
      s(times.end) + 30, // past the last sample
      t0 + 4 * 3600 - 1, // 23:59:59 on 30 September
      t0 + 4 * 3600 + 1, // 00:00:01 on 1 October
      t0 + 2 * 3600 + 45 * 60 + 11,
    ],
    ranges: [
      { start: t0 + 1800 + 7, end: t0 + 4.5 * 3600 + 7, step: 60 },
      { start: t0 + 3600 + 3, end: t0 + 3 * 3600 + 3, step: 37 },
      { start: s(times.outageStart) - 600 + 1, end: s(times.outageStart) + 900 + 1, step: 15 },
      { start: t0 - 600, end: s(times.end) + 600, step: 120 },
      { start: s(times.stop) - 300, end: s(times.stop) + 600, step: 10 },
    ],
  };
  const offGrid = (seconds: number) => Math.round(seconds * 1000 + EVALUATION_OFFSET_MS) / 1000;
  return {
    instants: grids.instants.map(offGrid),
    ranges: grids.ranges.map((r) => ({ start: offGrid(r.start), end: offGrid(r.end), step: r.step })),
  };
}

/** Added to every evaluation time: not a multiple of 125 ms (sample fractions), nor of a second. */
export const EVALUATION_OFFSET_MS = 100;

/** The full list: each expression as an instant and as a range query, times cycled. */
export function differentialQueries(times: QueryTimes): DifferentialQuery[] {
  const exprs = differentialExpressions(times);
  const { instants, ranges } = differentialGrids(times);
  const out: DifferentialQuery[] = [];
  exprs.forEach((expr, i) => {
    const ordered = /^sort(_desc)?\(/.test(expr);
    out.push({ expr, kind: 'instant', time: instants[i % instants.length], ordered });
    const grid = ranges[i % ranges.length];
    out.push({ expr, kind: 'range', time: grid.start, end: grid.end, step: grid.step });
  });
  // A range query over more than 11,000 points is refused by both.
  out.push({ expr: 'up', kind: 'range', time: Math.round(times.start / 1000), end: Math.round(times.end / 1000), step: 1 });
  return out;
}
