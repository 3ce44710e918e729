import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A number Vigil's parts keep in a plain object, exposed under a Prometheus-compatible name. */
export interface MetricSource {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  labelNames?: string[];
  /** Current value(s): one number, or one per label-value tuple. */
  read: () => number | { labels: Record<string, string>; value: number }[];
}

/**
 * Vigil's own /metrics, on prom-client. Parts of Vigil keep plain counters (no prom-client on hot
 * paths); the registry reads them when scraped. Names follow Prometheus's own where the meaning is the
 * same, so existing "Prometheus stats" dashboards work on Vigil.
 */
export class SelfMetrics {
  readonly registry = new Registry();
  private readonly httpRequests: Counter<'code' | 'handler'>;
  private readonly httpRequestDuration: Histogram<'handler'>;

  constructor(version: string) {
    // The event-loop delay histogram samples once a second rather than prom-client's default 10 ms:
    // at 10 ms it wakes an idle server 100 times a second, a fifth of the CPU of a 10k-samples/s
    // scrape load. Lag of a blocking task still shows (it delays the next sample).
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 1000 });
    const info = new Gauge({ name: 'vigil_build_info', help: 'Vigil build information (always 1).', labelNames: ['version'], registers: [this.registry] });
    info.set({ version }, 1);
    // Prometheus's names and buckets, so its "Prometheus stats" panels read Vigil's HTTP traffic.
    this.httpRequests = new Counter({ name: 'prometheus_http_requests_total', help: 'Counter of HTTP requests.', labelNames: ['code', 'handler'], registers: [this.registry] });
    this.httpRequestDuration = new Histogram({
      name: 'prometheus_http_request_duration_seconds',
      help: 'Histogram of latencies for HTTP requests.',
      labelNames: ['handler'],
      buckets: [0.1, 0.2, 0.4, 1, 3, 8, 20, 60, 120],
      registers: [this.registry],
    });
  }

  /** One answered HTTP request; `handler` is the matched route pattern, so the label set stays small. */
  observeHttpRequest(handler: string, code: number, seconds: number): void {
    this.httpRequests.inc({ code: String(code), handler });
    this.httpRequestDuration.observe({ handler }, seconds);
  }

  add(source: MetricSource): void {
    const read = source.read;
    const labelNames = source.labelNames ?? [];
    if (source.type === 'gauge') {
      new Gauge({
        name: source.name,
        help: source.help,
        labelNames,
        registers: [this.registry],
        collect() {
          const value = read();
          if (typeof value === 'number') this.set(value);
          else {
            this.reset();
            for (const entry of value) this.set(entry.labels, entry.value);
          }
        },
      });
    } else {
      new Counter({
        name: source.name,
        help: source.help,
        labelNames,
        registers: [this.registry],
        collect() {
          const value = read();
          this.reset();
          if (typeof value === 'number') this.inc(value);
          else for (const entry of value) this.inc(entry.labels, entry.value);
        },
      });
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
