/**
 * The scrape manager: one pool per scrape_configs job, each holding its discovered targets (static
 * configs and file_sd) and one ScrapeLoop per active target, as Prometheus's scrape.Manager and
 * scrapePool do (scrape/manager.go, scrape/scrape.go).
 *
 * Reloads (`apply`) keep what did not change: a target whose labels, URL and job settings are the
 * same keeps its loop, so its series see no gap. A target that stays but whose job settings changed
 * gets a new loop that inherits the old one's series cache (when the change cannot alter the series:
 * intervals, timeouts, sample_limit, HTTP client) or at least its staleness state, so its first
 * scrape marks stale exactly the series that disappeared. Targets that are gone stop, with stale
 * markers at the stop time; so do the targets of removed jobs. Shutting down (`stop`) writes no stale
 * markers, as Prometheus does not, so a restart continues the series.
 */
import { hostname } from 'node:os';
import type { PrometheusConfig, ScrapeConfig, TargetGroup } from '../../config/index.ts';
import { AnchoredRegex, compareStrings, getLabel, labelsToRecord, systemClock } from '../../model/index.ts';
import type { Clock, Labels } from '../../model/index.ts';
import type { Storage } from '../../store/types.ts';
import { newScrapeCounters } from './counters.ts';
import type { ScrapeCounters, ScrapeMetricSource } from './counters.ts';
import { FileDiscovery } from './file-sd.ts';
import { SCRAPE_FAILURE_REASONS, ScrapeError, acceptHeaderFor } from './http-client.ts';
import { SeriesCache } from './scrape-cache.ts';
import { ScrapeLoop, systemTimers } from './scrape-loop.ts';
import type { ScrapeLogger, ScrapeTimers, ScrapedMetadata, TargetHealth } from './scrape-loop.ts';
import { ADDRESS_LABEL, SCRAPE_INTERVAL_LABEL, SCRAPE_TIMEOUT_LABEL, offsetSeed, populateLabels, targetOffsetMs } from './target.ts';
import type { ResolvedTarget } from './target.ts';

export interface ScrapeManagerOptions {
  storage: Pick<Storage, 'appender'>;
  clock?: Clock;
  log?: ScrapeLogger;
  timers?: ScrapeTimers;
  /** false: loops are created but never scheduled (tests drive them with scrapeOnce / scrapeAll). Default true. */
  runLoops?: boolean;
  /** This server's host name, for globalUrl and the offset seed. Default os.hostname(). */
  hostname?: string;
}

/** One entry of `/api/v1/targets` activeTargets. */
export interface ActiveTargetView {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: TargetHealth;
  scrapeInterval: string;
  scrapeTimeout: string;
}

/** One entry of `/api/v1/targets` droppedTargets. */
export interface DroppedTargetView {
  discoveredLabels: Record<string, string>;
  scrapePool: string;
}

/** A running target, for callers that drive loops themselves (tests, tools). */
export interface ActiveLoop {
  pool: string;
  labels: Labels;
  url: string;
  loop: ScrapeLoop;
}

interface ActiveTarget {
  target: ResolvedTarget;
  loop: ScrapeLoop;
  /** The job settings the loop was built with. */
  fingerprint: string;
  cacheFingerprint: string;
}

const LOCALHOST = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** JSON of a value with regexes as their source, so configs can be compared. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof AnchoredRegex ? v.source : v));
}

const TARGET_SETTINGS = ['staticConfigs', 'fileSdConfigs', 'relabelConfigs', 'sourceFile', 'targetLimit', 'keepDroppedTargets'] as const;
/** Settings Prometheus's reusableCache ignores: they cannot change the series a target produces. */
const NON_SERIES_SETTINGS = ['scrapeIntervalMs', 'scrapeTimeoutMs', 'sampleLimit', 'http', 'scrapeFailureLogFile'] as const;

function without(config: ScrapeConfig, keys: readonly string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...config };
  for (const key of keys) delete copy[key];
  return copy;
}

/** The job settings that shape a loop (discovery and target relabeling show up in the target's labels instead). */
function loopFingerprint(config: ScrapeConfig): string {
  return stableJson(without(config, TARGET_SETTINGS));
}

/** The job settings that can change the series a target produces. */
function cacheFingerprint(config: ScrapeConfig): string {
  return stableJson(without(config, [...TARGET_SETTINGS, ...NON_SERIES_SETTINGS]));
}

/** Client settings Vigil cannot honour yet: scraping without them would be wrong, so the targets fail. */
function unsupportedClientSetting(config: ScrapeConfig): string | null {
  const http = config.http;
  if (http.oauth2 !== undefined) return 'oauth2 is not supported by Vigil yet';
  if (http.proxy.proxyUrl !== undefined || http.proxy.proxyFromEnvironment) return 'proxy_url / proxy_from_environment are not supported by Vigil yet';
  const refs = [http.basicAuth?.usernameRef, http.basicAuth?.passwordRef, http.authorization?.credentialsRef, http.tlsConfig.caRef, http.tlsConfig.certRef, http.tlsConfig.keyRef];
  if (refs.some((ref) => ref !== undefined)) return 'secret references (*_ref) are not supported by Vigil yet';
  return null;
}

/** Go's time.Time JSON (RFC 3339 with trimmed fraction), UTC; the zero time before the first scrape. */
function rfc3339(ms: number | null): string {
  if (ms === null) return '0001-01-01T00:00:00Z';
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d*?)0*Z$/, (_m, digits: string) => (digits === '' ? 'Z' : `.${digits}Z`));
}

class ScrapePool {
  config: ScrapeConfig;
  readonly active = new Map<string, ActiveTarget>();
  dropped: Labels[] = [];
  droppedCount = 0;
  private discoveries: FileDiscovery[] = [];
  private fileSdJson = '';

  constructor(
    config: ScrapeConfig,
    private readonly manager: ScrapeManager,
  ) {
    this.config = config;
  }

  get name(): string {
    return this.config.jobName;
  }

  /** Installs a (possibly new) config: restarts file discovery when its settings changed. */
  async configure(config: ScrapeConfig): Promise<void> {
    this.config = config;
    const fileSdJson = JSON.stringify(config.fileSdConfigs);
    if (fileSdJson === this.fileSdJson) return;
    this.fileSdJson = fileSdJson;
    for (const discovery of this.discoveries) discovery.stop();
    this.discoveries = config.fileSdConfigs.map(
      (fileSd) => new FileDiscovery(fileSd, () => this.manager.requestSync(this), this.manager.log, this.manager.timers),
    );
    await Promise.all(this.discoveries.map((discovery) => discovery.refresh()));
    if (this.manager.runLoops) for (const discovery of this.discoveries) discovery.start();
  }

  async refreshDiscovery(): Promise<void> {
    await Promise.all(this.discoveries.map((discovery) => discovery.refresh()));
  }

  groups(): TargetGroup[] {
    const out = [...this.config.staticConfigs];
    for (const discovery of this.discoveries) out.push(...discovery.groups());
    return out;
  }

  /** Rebuilds the target set from the current groups and config, starting and stopping loops. */
  async sync(): Promise<void> {
    const manager = this.manager;
    const config = this.config;
    const keep = config.keepDroppedTargets;
    const wanted = new Map<string, ResolvedTarget>();
    this.dropped = [];
    this.droppedCount = 0;
    let failures = 0;
    for (const group of this.groups()) {
      for (let i = 0; i < group.targets.length; i++) {
        const result = populateLabels(config, { [ADDRESS_LABEL]: group.targets[i] }, group.labels);
        if (result.kind === 'active') {
          if (!wanted.has(result.target.key)) wanted.set(result.target.key, result.target);
        } else if (result.kind === 'dropped') {
          if (keep === 0 || this.dropped.length < keep) this.dropped.push(result.discoveredLabels);
          this.droppedCount++;
        } else {
          failures++;
          manager.log('error', 'Creating target failed', { scrape_pool: this.name, err: `instance ${i} in group ${group.source}: ${result.error}` });
        }
      }
    }
    if (failures > 0) manager.counters.syncFailed[this.name] = (manager.counters.syncFailed[this.name] ?? 0) + failures;

    const fingerprint = loopFingerprint(config);
    const cacheKey = cacheFingerprint(config);
    const stopping: Promise<void>[] = [];
    for (const [key, current] of this.active) {
      const target = wanted.get(key);
      if (target === undefined) {
        this.active.delete(key);
        stopping.push(current.loop.stop());
        continue;
      }
      current.target = target;
      if (current.fingerprint === fingerprint) continue;
      // Same target, other job settings: a new loop, carrying the old one's cache or staleness state.
      const old = current.loop.takeCache();
      const cache = current.cacheFingerprint === cacheKey ? old : SeriesCache.inheritStaleness(old);
      stopping.push(current.loop.stop({ staleMarkers: false }));
      current.loop = this.newLoop(target, cache);
      current.fingerprint = fingerprint;
      current.cacheFingerprint = cacheKey;
    }
    for (const [key, target] of wanted) {
      if (this.active.has(key)) continue;
      this.active.set(key, { target, loop: this.newLoop(target, undefined), fingerprint, cacheFingerprint: cacheKey });
    }
    await Promise.all(stopping);

    let forced: ScrapeError | null = null;
    const unsupported = unsupportedClientSetting(config);
    if (unsupported !== null) forced = new ScrapeError('config', unsupported);
    else if (config.targetLimit > 0 && this.active.size > config.targetLimit) {
      manager.counters.targetLimitExceeded++;
      forced = new ScrapeError('target_limit', `target_limit exceeded (number of targets: ${this.active.size}, limit: ${config.targetLimit})`);
    }
    for (const { loop } of this.active.values()) {
      loop.setForcedError(forced);
      if (manager.runLoops) loop.start();
    }
  }

  private newLoop(target: ResolvedTarget, cache: SeriesCache | undefined): ScrapeLoop {
    const config = this.config;
    const manager = this.manager;
    return new ScrapeLoop({
      url: target.url,
      targetLabels: target.publicLabels,
      intervalMs: target.intervalMs,
      timeoutMs: target.timeoutMs,
      honorLabels: config.honorLabels,
      honorTimestamps: config.honorTimestamps,
      trackTimestampsStaleness: config.trackTimestampsStaleness,
      metricRelabelConfigs: config.metricRelabelConfigs,
      sampleLimit: config.sampleLimit,
      labelLimit: config.labelLimit,
      labelNameLengthLimit: config.labelNameLengthLimit,
      labelValueLengthLimit: config.labelValueLengthLimit,
      bodySizeLimit: config.bodySizeLimitBytes,
      basicAuth: config.http.basicAuth,
      authorization: config.http.authorization,
      httpHeaders: config.http.httpHeaders,
      tls: config.http.tlsConfig,
      followRedirects: config.http.followRedirects,
      enableCompression: config.enableCompression,
      acceptHeader: acceptHeaderFor(config.scrapeProtocols, config.metricNameEscapingScheme),
      fallbackScrapeProtocol: config.fallbackScrapeProtocol,
      metricNameValidationScheme: config.metricNameValidationScheme,
      extraScrapeMetrics: config.extraScrapeMetrics,
      storage: manager.storage,
      clock: manager.clock,
      offsetMs: targetOffsetMs(target.key, target.intervalMs, manager.seed),
      counters: manager.counters,
      log: manager.log,
      timers: manager.timers,
      cache,
    });
  }

  /** Stops discovery and every loop. */
  async stop(staleMarkers: boolean): Promise<void> {
    for (const discovery of this.discoveries) discovery.stop();
    this.discoveries = [];
    const loops = [...this.active.values()].map(({ loop }) => loop.stop({ staleMarkers }));
    this.active.clear();
    await Promise.all(loops);
  }

  discoveryReadErrors(): number {
    let n = 0;
    for (const discovery of this.discoveries) n += discovery.readErrors;
    return n;
  }
}

export class ScrapeManager {
  readonly storage: Pick<Storage, 'appender'>;
  readonly clock: Clock;
  readonly log: ScrapeLogger;
  readonly timers: ScrapeTimers;
  readonly runLoops: boolean;
  readonly counters: ScrapeCounters = newScrapeCounters();
  /** @internal offset seed from the host name and external labels. */
  seed = 0n;
  private readonly hostname: string;
  private readonly pools = new Map<string, ScrapePool>();
  private queue: Promise<void> = Promise.resolve();
  private readonly pendingSyncs = new Set<ScrapePool>();
  private stopped = false;

  constructor(options: ScrapeManagerOptions) {
    this.storage = options.storage;
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? (() => {});
    this.timers = options.timers ?? systemTimers;
    this.runLoops = options.runLoops ?? true;
    this.hostname = options.hostname ?? hostname();
  }

  /** Runs `fn` after every earlier apply / sync / stop finished. */
  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  /**
   * Applies a (re)loaded config: pools of removed jobs stop, new ones start, existing ones resync
   * with the new settings (loops of unchanged targets keep running).
   */
  apply(config: PrometheusConfig): Promise<void> {
    return this.serialize(async () => {
      if (this.stopped) return;
      this.seed = offsetSeed(this.hostname, config.global.externalLabels);
      const wanted = new Map(config.scrapeConfigs.map((sc) => [sc.jobName, sc]));
      const stopping: Promise<void>[] = [];
      for (const [name, pool] of this.pools) {
        if (!wanted.has(name)) {
          this.pools.delete(name);
          stopping.push(pool.stop(true));
        }
      }
      await Promise.all(stopping);
      for (const [name, scrapeConfig] of wanted) {
        let pool = this.pools.get(name);
        if (pool === undefined) {
          pool = new ScrapePool(scrapeConfig, this);
          this.pools.set(name, pool);
        }
        await pool.configure(scrapeConfig);
        await pool.sync();
      }
    });
  }

  /** @internal a discovery changed: resync its pool (once, however many changes queue up). */
  requestSync(pool: ScrapePool): void {
    if (this.pendingSyncs.has(pool)) return;
    this.pendingSyncs.add(pool);
    void this.serialize(async () => {
      this.pendingSyncs.delete(pool);
      if (this.stopped || this.pools.get(pool.name) !== pool) return;
      await pool.sync();
    }).catch((error: unknown) => this.log('error', 'scrape pool sync failed', { scrape_pool: pool.name, err: String(error) }));
  }

  /** Re-reads every file_sd file now and resyncs (the watchers and refresh timers do this on their own). */
  refreshDiscovery(): Promise<void> {
    return this.serialize(async () => {
      for (const pool of this.pools.values()) {
        await pool.refreshDiscovery();
        this.pendingSyncs.delete(pool);
        await pool.sync();
      }
    });
  }

  /** Stops everything without stale markers (shutdown: a restart continues the series). */
  stop(): Promise<void> {
    return this.serialize(async () => {
      this.stopped = true;
      const pools = [...this.pools.values()];
      this.pools.clear();
      await Promise.all(pools.map((pool) => pool.stop(false)));
    });
  }

  /** Every active loop, pools in name order. */
  activeLoops(): ActiveLoop[] {
    const out: ActiveLoop[] = [];
    for (const pool of this.sortedPools()) {
      for (const { target, loop } of sortedTargets(pool)) out.push({ pool: pool.name, labels: target.publicLabels, url: target.url, loop });
    }
    return out;
  }

  /** Resolves when no scrape is in flight and no config apply or discovery sync is pending (tests). */
  async idle(): Promise<void> {
    await this.queue;
    await Promise.all(this.activeLoops().map(({ loop }) => loop.idle()));
  }

  /** Scrapes every active target once, concurrently. */
  async scrapeAll(): Promise<void> {
    await Promise.all(this.activeLoops().map(({ loop }) => loop.scrapeOnce()));
  }

  activeTargets(): ActiveTargetView[] {
    const out: ActiveTargetView[] = [];
    for (const pool of this.sortedPools()) {
      for (const { target, loop } of sortedTargets(pool)) {
        const status = loop.status();
        out.push({
          discoveredLabels: labelsToRecord(target.discoveredLabels),
          labels: labelsToRecord(target.publicLabels),
          scrapePool: pool.name,
          scrapeUrl: target.url,
          globalUrl: this.globalUrl(target.url),
          lastError: status.lastError,
          lastScrape: rfc3339(status.lastScrape),
          lastScrapeDuration: status.lastScrapeDurationSeconds,
          health: status.health,
          scrapeInterval: getLabel(target.labels, SCRAPE_INTERVAL_LABEL),
          scrapeTimeout: getLabel(target.labels, SCRAPE_TIMEOUT_LABEL),
        });
      }
    }
    return out;
  }

  droppedTargets(): DroppedTargetView[] {
    const out: DroppedTargetView[] = [];
    for (const pool of this.sortedPools()) {
      for (const labels of pool.dropped) out.push({ discoveredLabels: labelsToRecord(labels), scrapePool: pool.name });
    }
    return out;
  }

  /** Dropped targets per pool, counting those beyond keep_dropped_targets. */
  droppedTargetCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const pool of this.sortedPools()) out[pool.name] = pool.droppedCount;
    return out;
  }

  /** The `/api/v1/targets` payload pieces. */
  targetsApi(): { activeTargets: ActiveTargetView[]; droppedTargets: DroppedTargetView[]; droppedTargetCounts: Record<string, number> } {
    return { activeTargets: this.activeTargets(), droppedTargets: this.droppedTargets(), droppedTargetCounts: this.droppedTargetCounts() };
  }

  /** The metric metadata of every active target's last successful scrape (for /api/v1/metadata). */
  *metadata(): Iterable<Readonly<ScrapedMetadata>> {
    for (const pool of this.pools.values()) for (const { loop } of pool.active.values()) yield* loop.listMetadata();
  }

  /** Vigil's own metrics about scraping (shape of serve/self-metrics MetricSource). */
  metricSources(): ScrapeMetricSource[] {
    const c = this.counters;
    const counter = (name: string, help: string, read: () => number): ScrapeMetricSource => ({ name, help, type: 'counter', read });
    return [
      counter('vigil_scrapes_total', 'Scrapes attempted.', () => c.scrapes),
      {
        name: 'vigil_scrape_failures_total',
        help: 'Failed scrapes, by reason.',
        type: 'counter',
        labelNames: ['reason'],
        read: () => SCRAPE_FAILURE_REASONS.map((reason) => ({ labels: { reason }, value: c.failures[reason] })),
      },
      counter('vigil_scrape_samples_appended_total', 'Samples (stale markers and report series included) appended by scrapes.', () => c.samplesAppended),
      counter('prometheus_target_scrapes_exceeded_sample_limit_total', 'Scrapes that hit the sample limit and were rejected.', () => c.sampleLimitExceeded),
      counter('prometheus_target_scrapes_exceeded_body_size_limit_total', 'Scrapes that hit the body size limit.', () => c.bodySizeLimitExceeded),
      counter('prometheus_target_scrape_pool_exceeded_label_limits_total', 'Scrapes that hit a label limit and were rejected.', () => c.labelLimitExceeded),
      counter('prometheus_target_scrape_pool_exceeded_target_limit_total', 'Pool syncs that hit the target limit.', () => c.targetLimitExceeded),
      counter('prometheus_target_scrapes_sample_out_of_order_total', 'Scraped samples refused as out of order.', () => c.outOfOrder),
      counter('prometheus_target_scrapes_sample_duplicate_timestamp_total', 'Scraped samples refused for a duplicate timestamp.', () => c.duplicateTimestamp),
      counter('prometheus_target_scrapes_sample_out_of_bounds_total', 'Scraped samples refused as out of bounds.', () => c.outOfBounds),
      counter('prometheus_target_scrapes_cache_flush_forced_total', 'Scrape caches flushed because they grew too much between successful scrapes.', () => c.cacheFlushForced),
      counter('vigil_scrape_commit_failures_total', 'Scrape commits the store refused.', () => c.commitFailures),
      {
        name: 'prometheus_target_sync_failed_total',
        help: 'Targets whose labels could not be built, by job.',
        type: 'counter',
        labelNames: ['scrape_job'],
        read: () => Object.entries(c.syncFailed).map(([job, value]) => ({ labels: { scrape_job: job }, value })),
      },
      {
        name: 'prometheus_sd_file_read_errors_total',
        help: 'file_sd files that could not be read or parsed.',
        type: 'counter',
        read: () => {
          let n = 0;
          for (const pool of this.pools.values()) n += pool.discoveryReadErrors();
          return n;
        },
      },
      {
        name: 'prometheus_target_scrape_pools_total',
        help: 'Scrape pools (jobs) running.',
        type: 'gauge',
        read: () => this.pools.size,
      },
      {
        name: 'vigil_scrape_targets',
        help: 'Active scrape targets, by health.',
        type: 'gauge',
        labelNames: ['health'],
        read: () => {
          const counts: Record<TargetHealth, number> = { up: 0, down: 0, unknown: 0 };
          for (const pool of this.pools.values()) for (const { loop } of pool.active.values()) counts[loop.status().health]++;
          return (Object.keys(counts) as TargetHealth[]).map((health) => ({ labels: { health }, value: counts[health] }));
        },
      },
    ];
  }

  private sortedPools(): ScrapePool[] {
    return [...this.pools.values()].sort((a, b) => compareStrings(a.name, b.name));
  }

  /** Prometheus's getGlobalURL: a localhost target is shown with this server's host name. */
  private globalUrl(url: string): string {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return url;
    }
    if (!LOCALHOST.has(parsed.hostname)) return url;
    parsed.hostname = this.hostname;
    return parsed.toString();
  }
}

function sortedTargets(pool: ScrapePool): ActiveTarget[] {
  return [...pool.active.values()].sort((a, b) => compareStrings(a.target.url, b.target.url) || compareStrings(a.target.key, b.target.key));
}
