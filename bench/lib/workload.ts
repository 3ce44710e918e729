/**
 * The generated workload every comparison benchmark feeds to both systems: deterministic series
 * (label sets shaped like a Kubernetes scrape) and scrape-like sample values.
 *
 * Series i belongs to target ⌊i / 1000⌋ (a pod), metric family (i mod 1000) div 10 out of 100, and
 * variant i mod 10 (a `le`, `code`, `cpu`… label). The value kind depends on the family:
 *   constant       10 %  e.g. *_info, up, build metadata: always the same value
 *   int counter    45 %  request/byte/packet counters: integer increments drawn per scrape from a
 *                        Poisson-like distribution around a per-series rate (some series idle, rate 0)
 *   float counter  10 %  cpu-seconds style: increments in 0.01 steps (USER_HZ), as node_exporter reports
 *   int gauge      25 %  memory/bytes/count gauges: a base value with occasional ±4 KiB-page changes
 *   float gauge    10 %  ratios/temperatures: full-precision random walk (the XOR worst case)
 * Timestamps are exact multiples of the interval (Prometheus aligns scrape timestamps within 2 ms).
 */

export type ValueKind = 'constant' | 'intCounter' | 'floatCounter' | 'intGauge' | 'floatGauge';

export const SERIES_PER_TARGET = 1000;
export const FAMILIES = 100;
const VARIANTS = 10;

/** splitmix32-style hash: deterministic pseudo-random 32-bit value from integers. */
export function hash32(a: number, b = 0): number {
  let h = (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad);
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97);
  return (h ^ (h >>> 15)) >>> 0;
}

/** Uniform [0, 1) from integers. */
export function unit(a: number, b = 0): number {
  return hash32(a, b) / 4294967296;
}

export function familyOf(i: number): number {
  return Math.floor((i % SERIES_PER_TARGET) / VARIANTS);
}

export function kindOfFamily(family: number): ValueKind {
  const r = family % 20;
  if (r < 2) return 'constant';
  if (r < 11) return 'intCounter';
  if (r < 13) return 'floatCounter';
  if (r < 18) return 'intGauge';
  return 'floatGauge';
}

export function kindOf(i: number): ValueKind {
  return kindOfFamily(familyOf(i));
}

const FAMILY_STEMS = ['http_requests', 'http_request_duration_seconds_bucket', 'node_network_receive_bytes', 'process_cpu_seconds', 'container_memory_working_set_bytes', 'grpc_server_handled', 'node_disk_io_time_seconds', 'kube_pod_status_ready', 'go_goroutines', 'node_filesystem_avail_bytes'];

/** Metric name of family f, with `_total` on counters (OpenMetrics counter samples carry it). */
export function metricName(family: number): string {
  const stem = `${FAMILY_STEMS[family % FAMILY_STEMS.length]}_${Math.floor(family / FAMILY_STEMS.length)}`;
  const kind = kindOfFamily(family);
  return kind === 'intCounter' || kind === 'floatCounter' ? `${stem}_total` : stem;
}

/** The OpenMetrics family name (counter samples are `<family>_total`). */
export function familyName(family: number): string {
  const name = metricName(family);
  return name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
}

const NAMESPACES = ['payments', 'checkout', 'search', 'identity', 'catalog', 'shipping', 'ads', 'recommendations', 'frontend', 'monitoring', 'logging', 'kube-system', 'ingress', 'billing', 'notifications', 'inventory', 'reviews', 'cart', 'auth', 'media'];
const VARIANT_VALUES = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];

/**
 * Sorted label pairs of series i: 10 labels (`__name__`, cluster, container, instance, job,
 * namespace, node, pod, variant, zone) — `full` — or 6 (`__name__`, instance, job, namespace, pod,
 * variant) for the disk benchmark, whose OpenMetrics file would otherwise be several GB.
 */
export function seriesLabels(i: number, full = true): [string, string][] {
  const target = Math.floor(i / SERIES_PER_TARGET);
  const family = familyOf(i);
  const variant = i % VARIANTS;
  const ns = NAMESPACES[target % NAMESPACES.length];
  const podHash = hash32(target, 7).toString(36).padStart(7, '0').slice(0, 7);
  const pod = `${ns}-${(hash32(target, 3) % 90000 + 10000).toString(36)}-${podHash}`;
  const instance = `10.${(target >> 16) & 255}.${(target >> 8) & 255}.${target & 255}:9100`;
  if (!full) {
    return [
      ['__name__', metricName(family)],
      ['instance', instance],
      ['job', `${ns}-pods`],
      ['namespace', ns],
      ['pod', pod],
      ['variant', VARIANT_VALUES[variant]],
    ];
  }
  return [
    ['__name__', metricName(family)],
    ['cluster', 'prod-eu-west-1'],
    ['container', `${ns}-server`],
    ['instance', instance],
    ['job', 'kubernetes-pods'],
    ['namespace', ns],
    ['node', `ip-10-0-${target % 64}-${(target * 7) % 250}.eu-west-1.compute.internal`],
    ['pod', pod],
    ['variant', VARIANT_VALUES[variant]],
    ['zone', `eu-west-1${'abc'[target % 3]}`],
  ];
}

/**
 * Per-series value state: `valueAt(i, step)` must be called with step = 0, 1, 2, … in order for a
 * given series (it advances state). Deterministic across runs and processes.
 */
export class ValueGenerator {
  private readonly current: Float64Array;
  private readonly lastStep: Int32Array;

  constructor(readonly numSeries: number) {
    this.current = new Float64Array(numSeries);
    this.lastStep = new Int32Array(numSeries).fill(-1);
  }

  valueAt(i: number, step: number): number {
    const kind = kindOf(i);
    if (this.lastStep[i] === -1) {
      this.current[i] = initial(i, kind);
      this.lastStep[i] = 0;
      if (step === 0) return this.current[i];
    }
    while (this.lastStep[i] < step) {
      this.lastStep[i]++;
      this.current[i] = next(i, kind, this.current[i], this.lastStep[i]);
    }
    return this.current[i];
  }
}

function initial(i: number, kind: ValueKind): number {
  switch (kind) {
    case 'constant':
      return i % 7 === 0 ? 0 : 1;
    case 'intCounter':
      return Math.floor(unit(i, 1) * 1e6);
    case 'floatCounter':
      return Math.round(unit(i, 1) * 1e6) / 100;
    case 'intGauge':
      return Math.floor(unit(i, 1) * 2e9 / 4096) * 4096;
    case 'floatGauge':
      return 20 + unit(i, 1) * 60;
  }
}

function next(i: number, kind: ValueKind, v: number, step: number): number {
  const r = unit(i, step * 2 + 11);
  switch (kind) {
    case 'constant':
      return v;
    case 'intCounter': {
      // Per-series rate: a third idle-ish (mostly 0 increments), the rest 1..2000 per scrape.
      const rate = unit(i, 5) < 0.33 ? 0.2 : 1 + unit(i, 6) * 2000;
      // Poisson-ish: rate × (0.5 .. 1.5), rounded; low rates give many zero increments.
      return v + Math.floor(rate * (0.5 + r) + unit(i, step * 2 + 12) * 0.999);
    }
    case 'floatCounter': {
      const utilisation = unit(i, 5) * 0.8;
      // 15 s × utilisation, in 0.01 s steps; stored as cents then divided, like a parsed "123.45".
      const cents = Math.round((v * 100) + 1500 * utilisation * (0.7 + 0.6 * r));
      return cents / 100;
    }
    case 'intGauge': {
      // Changes in about a third of the scrapes, by a few pages.
      if (r > 0.33) return v;
      const pages = Math.floor(unit(i, step * 2 + 12) * 41) - 20;
      return Math.max(0, v + pages * 4096);
    }
    case 'floatGauge':
      return v + (r - 0.5) * 0.5;
  }
}
