import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import pino from 'pino';
import type { Logger } from 'pino';
import { defaultConfig, loadConfigFile } from './config/index.ts';
import { DashboardStore, loadDashboardProviders } from './dashboards/index.ts';
import { Alertmanager } from './alerting/index.ts';
import type { Scheduler } from './alerting/index.ts';
import type { HttpFunction } from './alerting/receivers/index.ts';
import type { PrometheusConfig } from './config/index.ts';
import { MetadataStore, createRemoteWriteMetrics } from './ingest/remotewrite/index.ts';
import { ScrapeManager } from './ingest/scrape/index.ts';
import { formatDuration, systemClock } from './model/index.ts';
import type { Clock } from './model/index.ts';
import { SelfMetrics, createApp } from './serve/index.ts';
import { Tsdb } from './store/tsdb/index.ts';
import { Engine } from './query/promql/engine/index.ts';
import { AlertmanagerNotifier, RuleManager, engineQueryFunction } from './rules/index.ts';
import type { AlertSink, RuleManagerConfig } from './rules/index.ts';
import { VERSION } from './cli/version.ts';
import { mountImportApi } from './serve/import-api.ts';
import { mountRemoteWriteApi } from './serve/remote-write-api.ts';

export interface VigilOptions {
  /** prometheus.yml; undefined runs the built-in config that scrapes Vigil itself. */
  configFile?: string;
  dataDir: string;
  retentionMs: number;
  retentionBytes: number;
  /** `host:port`; port 0 picks a free one (tests). */
  listenAddress: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** The flags as given, for /api/v1/status/flags. */
  flags?: Record<string, string>;
  clock?: Clock;
  /**
   * Time and timers of scraping, rule evaluation and the in-process Alertmanager (tests pass a fake
   * one and move time themselves); when given it is also the clock. Default: real time.
   */
  scheduler?: Scheduler;
  /** Largest accepted remote-write body (compressed), bytes. */
  maxRemoteWriteBytes?: number;
  /** How often storage maintenance (head → blocks, compaction, retention) runs; ms. */
  maintenanceIntervalMs?: number;
  /** PromQL limits (`--query.*` flags); Prometheus's defaults when absent. */
  query?: QueryLimits;
  /** `--web.enable-admin-api`: serve the TSDB admin endpoints (delete series, clean tombstones, snapshot). */
  enableAdminApi?: boolean;
  /** `--dashboards.path` values (folders of dashboard JSON or Grafana provisioning files) and `--dashboards.save-path` (default `<dataDir>/dashboards`). */
  dashboards?: { paths: string[]; savePath?: string };
  /** The in-process Alertmanager (`--alertmanager.*` flags); off when absent. */
  alertmanager?: AlertmanagerFlags;
  /** Rule evaluation and alert sending (`--rules.alert.*`, `--web.external-url`); Prometheus's defaults when absent. */
  rules?: RuleOptions;
  logger?: Logger;
}

export interface RuleOptions {
  /** `--web.external-url`: alerts' generator URLs and `$externalURL` (default: the listen URL). */
  externalURL?: string;
  /** `--rules.alert.resend-delay`, ms (default 1m). */
  resendDelayMs?: number;
  /** `--rules.alert.for-outage-tolerance`, ms (default 1h). */
  outageToleranceMs?: number;
  /** `--rules.alert.for-grace-period`, ms (default 10m). */
  forGracePeriodMs?: number;
  /** `--alertmanager.notification-queue-capacity` (default 10000). */
  notificationQueueCapacity?: number;
  /** More receivers of rule alerts besides the external Alertmanagers (e.g. the in-process notifier). */
  sinks?: AlertSink[];
}

export interface AlertmanagerFlags {
  /** alertmanager.yml (`--alertmanager.config.file`). */
  configFile: string;
  /** `--alertmanager.storage.path`, default `<dataDir>/alertmanager`. */
  storagePath?: string;
  /** `--alertmanager.data.retention`, default 120h. */
  retentionMs?: number;
  /** `--alertmanager.history.retention`, default 15d. */
  historyRetentionMs?: number;
  /** `--alertmanager.silences.max-silences` (0: no limit). */
  maxSilences?: number;
  /** `--alertmanager.silences.max-silence-size-bytes` (0: no limit). */
  maxSilenceSizeBytes?: number;
  /** The receivers' HTTP client (default: Node's); tests wrap it to reach endpoints Alertmanager fixes, such as PagerDuty v1's. */
  http?: HttpFunction;
}

export interface QueryLimits {
  /** ms, default 5m. */
  lookbackDeltaMs: number;
  /** ms, default 2m. */
  timeoutMs: number;
  /** Queries evaluated at once, default 20. */
  maxConcurrency: number;
  /** Samples a query may hold in memory, default 50,000,000. */
  maxSamples: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { lookbackDeltaMs: 300_000, timeoutMs: 120_000, maxConcurrency: 20, maxSamples: 50_000_000 };

/**
 * One running Vigil: storage, ingestion, the HTTP server and the config that ties them. `start`
 * builds it; `reload` re-reads the config (all fallible work first, then swap); `stop` shuts down.
 */
export class Vigil {
  private config!: PrometheusConfig;
  private server: ServerType | null = null;
  private maintenanceTimer: NodeJS.Timeout | null = null;
  private readyFlag = false;
  private lastReloadOk = true;
  private lastReloadTime = new Date();
  private readonly startTime = new Date();
  readonly metrics = new SelfMetrics(VERSION);
  private readonly remoteWriteMetrics = createRemoteWriteMetrics();
  /** Metric metadata received over remote write (scraped metadata stays with the scrape loops). */
  private readonly remoteWriteMetadata = new MetadataStore();
  /** The one PromQL engine: the query API uses it (and rules will). */
  engine!: Engine;
  /** Rule evaluation (recording and alerting rules of the config's rule_files). */
  rules: RuleManager | null = null;
  /** Sends rule alerts to the Alertmanagers of `alerting.alertmanagers`. */
  notifier: AlertmanagerNotifier | null = null;
  /** Provisioned and saved dashboards behind Grafana's dashboard API. */
  dashboards: DashboardStore | null = null;
  /** The in-process Alertmanager, when `--alertmanager.config.file` is given. */
  alertmanager: Alertmanager | null = null;
  url = '';

  private constructor(
    readonly options: VigilOptions,
    readonly log: Logger,
    readonly storage: Tsdb,
    readonly scrape: ScrapeManager,
  ) {}

  static async start(options: VigilOptions): Promise<Vigil> {
    const logger = options.logger ?? pino({ level: options.logLevel });
    const clock = options.scheduler ?? options.clock ?? systemClock;
    await mkdir(options.dataDir, { recursive: true });
    const config = await Vigil.readConfig(options);
    const dashboards = await DashboardStore.open({
      providers: await loadDashboardProviders(options.dashboards?.paths ?? []),
      savePath: options.dashboards?.savePath ?? join(options.dataDir, 'dashboards'),
      log: (level, message, fields) => logger[level]({ component: 'dashboards', ...fields }, message),
    });
    const storage = await Tsdb.open({
      dir: options.dataDir,
      retentionMs: options.retentionMs,
      retentionBytes: options.retentionBytes,
      outOfOrderWindowMs: config.storage.tsdb.outOfOrderTimeWindowMs,
      clock,
      log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => logger[level]({ component: 'tsdb', ...fields }, message),
    });
    const scheduler = options.scheduler;
    const timers = scheduler === undefined ? undefined : { setTimeout: (callback: () => void, ms: number) => scheduler.schedule(ms, callback), clearTimeout: (handle: unknown) => (handle as { cancel(): void }).cancel() };
    const scrape = new ScrapeManager({ storage, clock, timers, log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => logger[level]({ component: 'scrape', ...fields }, message) });
    const vigil = new Vigil(options, logger, storage, scrape);
    vigil.config = config;
    vigil.dashboards = dashboards;
    const limits = options.query ?? DEFAULT_QUERY_LIMITS;
    vigil.engine = new Engine({
      lookbackDelta: limits.lookbackDeltaMs,
      timeout: limits.timeoutMs,
      maxConcurrent: limits.maxConcurrency,
      maxSamples: limits.maxSamples,
      defaultEvaluationInterval: config.global.evaluationIntervalMs,
    });
    try {
      await vigil.listen();
    } catch (error) {
      await dashboards.stop();
      await storage.close();
      throw new Error(`cannot listen on ${options.listenAddress}: ${(error as Error).message}`, { cause: error });
    }
    // The built-in config scrapes Vigil itself, so it needs the address actually bound.
    if (options.configFile === undefined) vigil.config = defaultConfig(vigil.selfAddress());
    await scrape.apply(vigil.config);
    // The Alertmanager starts before the rules, so their first alerts have somewhere to go.
    if (options.alertmanager !== undefined) {
      try {
        vigil.alertmanager = await vigil.startAlertmanager(options.alertmanager);
      } catch (error) {
        await vigil.stop();
        throw error;
      }
    }
    try {
      await vigil.startRules();
    } catch (error) {
      await vigil.stop();
      throw error;
    }
    // Vigil's own rules notify the in-process Alertmanager, as Prometheus would notify one listed in `alerting:`.
    if (vigil.alertmanager !== null) {
      vigil.rules?.addSink((alerts) => {
        const refused = vigil.alertmanager?.putAlerts(alerts).errors ?? [];
        if (refused.length > 0) logger.warn({ component: 'alertmanager', errors: refused }, 'alerts from rules refused');
      });
    }
    vigil.registerMetrics();
    vigil.maintenanceTimer = setInterval(() => void storage.maintain(), options.maintenanceIntervalMs ?? 60_000);
    vigil.maintenanceTimer.unref();
    vigil.readyFlag = true;
    logger.info({ url: vigil.url, config: options.configFile ?? '(built-in)', dataDir: options.dataDir }, 'Vigil is ready');
    return vigil;
  }

  private startAlertmanager(flags: AlertmanagerFlags): Promise<Alertmanager> {
    return Alertmanager.start({
      configFile: flags.configFile,
      storagePath: flags.storagePath ?? join(this.options.dataDir, 'alertmanager'),
      retentionMs: flags.retentionMs ?? 120 * 3600_000,
      scheduler: this.options.scheduler,
      http: flags.http,
      historyRetentionMs: flags.historyRetentionMs,
      maxSilences: flags.maxSilences,
      maxSilenceSizeBytes: flags.maxSilenceSizeBytes,
      externalURL: this.options.rules?.externalURL ?? this.url,
      registry: this.metrics.registry,
      versionInfo: { version: VERSION, revision: '', branch: '', buildUser: '', buildDate: '', goVersion: `node${process.versions.node}` },
      log: (level, message, fields) => this.log[level]({ component: 'alertmanager', ...fields }, message),
    });
  }

  /** Builds the notifier and the rule manager, loads the rule files (a bad one fails the start) and runs them. */
  private async startRules(): Promise<void> {
    const options = this.options.rules ?? {};
    const log = (component: string) => (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => this.log[level]({ component, ...fields }, message);
    const notifier = new AlertmanagerNotifier({ queueCapacity: options.notificationQueueCapacity, userAgent: `Vigil/${VERSION}`, log: log('notifier') });
    await notifier.applyConfig(this.config.alerting);
    this.notifier = notifier;
    const rules = new RuleManager({
      query: engineQueryFunction(this.engine, this.storage),
      storage: this.storage,
      clock: this.options.scheduler ?? this.options.clock,
      scheduler: this.options.scheduler,
      externalURL: options.externalURL ?? this.url,
      resendDelayMs: options.resendDelayMs,
      outageToleranceMs: options.outageToleranceMs,
      forGracePeriodMs: options.forGracePeriodMs,
      sinks: [(alerts) => notifier.send(alerts), ...(options.sinks ?? [])],
      log: log('rules'),
      nameValidation: this.config.global.metricNameValidationScheme === 'legacy' ? 'legacy' : 'utf8',
    });
    this.rules = rules;
    await rules.update(ruleConfig(this.config));
    rules.run();
    for (const source of [...rules.metricSources(), ...notifier.metricSources()]) this.metrics.add(source);
  }

  private static async readConfig(options: VigilOptions): Promise<PrometheusConfig> {
    if (options.configFile === undefined) return defaultConfig(options.listenAddress);
    return loadConfigFile(options.configFile);
  }

  private selfAddress(): string {
    const address = this.server?.address() as AddressInfo | null;
    const port = address?.port ?? 9090;
    return `127.0.0.1:${port}`;
  }

  private async listen(): Promise<void> {
    const remoteWriteMetrics = this.remoteWriteMetrics;
    const maxBodyBytes = this.options.maxRemoteWriteBytes ?? 32 << 20;
    const limits = this.options.query ?? DEFAULT_QUERY_LIMITS;
    const storage = this.storage;
    const remoteWriteMetadata = this.remoteWriteMetadata;
    const app = createApp({
      storage,
      engine: this.engine,
      lookbackDelta: limits.lookbackDeltaMs,
      queryTimeout: limits.timeoutMs,
      externalLabels: () => this.config.global.externalLabels,
      admin:
        this.options.enableAdminApi === true
          ? {
              dataDir: this.options.dataDir,
              deleteSeries: (matchers, mint, maxt) => storage.deleteSeries(matchers, mint, maxt),
              cleanTombstones: () => storage.cleanTombstones(),
              snapshot: (dir, withHead) => storage.snapshot(dir, withHead),
            }
          : null,
      exemplars: (selectors, mint, maxt) => storage.queryExemplars(selectors, mint, maxt),
      metadata: () => this.metadataEntries(),
      configYaml: () => this.config.original,
      flags: this.options.flags ?? {},
      buildInfo: { version: VERSION, revision: '', branch: '', buildUser: '', buildDate: '', goVersion: `node${process.versions.node}` },
      runtimeInfo: () => ({
        startTime: this.startTime.toISOString(),
        CWD: process.cwd(),
        reloadConfigSuccess: this.lastReloadOk,
        lastConfigTime: this.lastReloadTime.toISOString(),
        corruptionCount: 0,
        goroutineCount: 0,
        GOMAXPROCS: 1,
        GOGC: '',
        GODEBUG: '',
        storageRetention: this.retentionText(),
      }),
      targets: () => this.scrape.targetsApi(),
      ready: () => this.readyFlag,
      unhealthy: () => (this.storage.counters.lastWriteError === null ? null : `storage write failing: ${this.storage.counters.lastWriteError}`),
      reload: () => this.reload(),
      metrics: () => this.metrics.render(),
      observeRequest: (handler, code, seconds) => this.metrics.observeHttpRequest(handler, code, seconds),
      rules: {
        ruleGroups: () => this.rules?.ruleGroups() ?? [],
        alertmanagers: () => ({ active: this.notifier?.alertmanagers() ?? [], dropped: this.notifier?.droppedAlertmanagers() ?? [] }),
      },
      dashboards: this.dashboards ?? undefined,
      alertmanager: () => this.alertmanager,
      extraRoutes: [
        (hono) => mountRemoteWriteApi(hono, this.storage, remoteWriteMetrics, maxBodyBytes, remoteWriteMetadata),
        (hono) => mountImportApi(hono, this.storage, this.options.dataDir),
      ],
    });
    const [host, portText] = splitHostPort(this.options.listenAddress);
    await new Promise<void>((resolve, reject) => {
      const server = serve({ fetch: app.fetch, hostname: host === '' ? undefined : host, port: Number(portText) }, () => resolve());
      server.once('error', reject);
      this.server = server;
    });
    const address = this.server?.address() as AddressInfo;
    this.url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  }

  /** Metadata of scraped targets, then what remote-write senders described. */
  private *metadataEntries(): Iterable<{ metricFamily: string; type: string; help: string; unit: string }> {
    yield* this.scrape.metadata();
    for (const entry of this.remoteWriteMetadata.entries()) yield { metricFamily: entry.metricFamilyName, type: entry.type, help: entry.help, unit: entry.unit };
  }

  private retentionText(): string {
    const parts: string[] = [];
    if (this.options.retentionMs > 0) parts.push(formatDuration(this.options.retentionMs));
    if (this.options.retentionBytes > 0) parts.push(`${this.options.retentionBytes}B`);
    return parts.join(' or ');
  }

  /** Re-reads the config file; on any error the running config stays and the error is thrown. */
  async reload(): Promise<void> {
    try {
      const next = this.options.configFile === undefined ? defaultConfig(this.selfAddress()) : await loadConfigFile(this.options.configFile);
      // Rule files first: a bad one fails the reload before anything else changes.
      await this.rules?.update(ruleConfig(next));
      await this.notifier?.applyConfig(next.alerting);
      await this.scrape.apply(next);
      this.config = next;
      this.storage.head.outOfOrderWindow = next.storage.tsdb.outOfOrderTimeWindowMs;
      // alertmanager.yml is re-read with prometheus.yml; a bad one keeps its previous config and fails the reload.
      await this.alertmanager?.reload();
      this.lastReloadOk = true;
      this.lastReloadTime = new Date();
      this.log.info({ config: this.options.configFile }, 'configuration reloaded');
    } catch (error) {
      this.lastReloadOk = false;
      this.log.error({ err: (error as Error).message }, 'reloading the configuration failed; keeping the previous one');
      throw error;
    }
  }

  private registerMetrics(): void {
    const head = this.storage.head;
    const m = this.metrics;
    m.add({ name: 'prometheus_tsdb_head_series', help: 'Series in the head block.', type: 'gauge', read: () => head.numSeries });
    m.add({ name: 'prometheus_tsdb_head_chunks', help: 'Chunks in the head block.', type: 'gauge', read: () => head.numChunks });
    m.add({ name: 'prometheus_tsdb_head_samples_appended_total', help: 'Samples appended to the head.', type: 'counter', read: () => head.counters.samplesAppended });
    m.add({ name: 'prometheus_tsdb_head_series_created_total', help: 'Series created in the head.', type: 'counter', read: () => head.counters.seriesCreated });
    m.add({ name: 'prometheus_tsdb_head_series_removed_total', help: 'Series removed from the head by garbage collection.', type: 'counter', read: () => head.counters.seriesRemoved });
    m.add({ name: 'prometheus_tsdb_out_of_order_samples_total', help: 'Samples refused because they were out of order.', type: 'counter', read: () => head.counters.outOfOrder });
    m.add({ name: 'prometheus_tsdb_out_of_bounds_samples_total', help: 'Samples refused because they were older than the head.', type: 'counter', read: () => head.counters.outOfBounds });
    m.add({ name: 'vigil_tsdb_duplicate_samples_total', help: 'Samples refused for a duplicate timestamp with another value.', type: 'counter', read: () => head.counters.duplicates });
    m.add({ name: 'vigil_tsdb_head_chunk_bytes', help: 'Bytes allocated for completed head chunks.', type: 'gauge', read: () => head.chunkBytes });
    m.add({ name: 'prometheus_tsdb_blocks_loaded', help: 'Blocks loaded.', type: 'gauge', read: () => this.storage.listBlocks().length });
    m.add({ name: 'prometheus_tsdb_compactions_total', help: 'Block compactions.', type: 'counter', read: () => this.storage.counters.compactions });
    m.add({ name: 'prometheus_tsdb_compactions_failed_total', help: 'Failed storage maintenance runs.', type: 'counter', read: () => this.storage.counters.compactionFailures });
    m.add({ name: 'vigil_tsdb_blocks_deleted_by_retention_total', help: 'Blocks deleted by retention.', type: 'counter', read: () => this.storage.counters.blocksDeletedByRetention });
    m.add({ name: 'vigil_tsdb_wal_replay_seconds', help: 'Duration of the last WAL replay at startup.', type: 'gauge', read: () => this.storage.counters.walReplaySeconds });
    m.add({ name: 'vigil_tsdb_wal_torn_tail_bytes_dropped_total', help: 'Bytes dropped from a torn WAL tail at startup.', type: 'counter', read: () => this.storage.counters.walTornTailBytesDropped });
    m.add({ name: 'prometheus_tsdb_head_commit_failures_total', help: 'Commits that failed because the WAL could not be written.', type: 'counter', read: () => head.counters.commitFailures });
    const wal = () => this.storage.walStats();
    m.add({ name: 'prometheus_tsdb_wal_writes_failed_total', help: 'WAL writes that failed (and were rolled back).', type: 'counter', read: () => wal().writeFailures });
    m.add({ name: 'vigil_tsdb_wal_bytes_written_total', help: 'Bytes written to the WAL.', type: 'counter', read: () => wal().bytesWritten });
    m.add({ name: 'vigil_tsdb_wal_records_written_total', help: 'Records written to the WAL.', type: 'counter', read: () => wal().recordsWritten });
    m.add({ name: 'prometheus_tsdb_wal_fsync_duration_seconds_sum', help: 'Time spent in WAL fsyncs.', type: 'counter', read: () => wal().fsyncSecondsTotal });
    m.add({ name: 'prometheus_tsdb_wal_segment_current', help: 'Index of the WAL segment being written.', type: 'gauge', read: () => wal().currentSegment });
    const rw = this.remoteWriteMetrics;
    m.add({ name: 'vigil_remote_write_requests_total', help: 'Remote-write requests received, by HTTP status.', type: 'counter', labelNames: ['code'], read: () => Object.entries(rw.requestsByStatus).map(([code, value]) => ({ labels: { code }, value })) });
    m.add({ name: 'vigil_remote_write_samples_received_total', help: 'Samples received over remote write.', type: 'counter', read: () => rw.samplesReceived });
    m.add({ name: 'vigil_remote_write_samples_rejected_total', help: 'Remote-write samples refused, by reason.', type: 'counter', labelNames: ['reason'], read: () => Object.entries(rw.samplesRejected).map(([reason, value]) => ({ labels: { reason }, value })) });
    for (const source of this.scrape.metricSources()) m.add(source);
  }

  /**
   * Resolves when no scrape, rule evaluation or notification is in progress: a test that moves a
   * fake `scheduler` waits on it between steps, so each step sees the previous one's results.
   */
  async idle(): Promise<void> {
    await this.scrape.idle();
    await this.rules?.idle();
    await this.alertmanager?.idle();
  }

  async stop(): Promise<void> {
    this.readyFlag = false;
    if (this.maintenanceTimer !== null) clearInterval(this.maintenanceTimer);
    await this.scrape.stop();
    await this.rules?.stop();
    await this.notifier?.stop();
    await this.alertmanager?.stop();
    await this.dashboards?.stop();
    await new Promise<void>((resolve) => {
      if (this.server === null) resolve();
      else this.server.close(() => resolve());
      (this.server as { closeAllConnections?: () => void } | null)?.closeAllConnections?.();
    });
    await this.storage.close();
  }
}

/** What the rule manager reads from prometheus.yml. */
function ruleConfig(config: PrometheusConfig): RuleManagerConfig {
  return {
    ruleFiles: config.ruleFiles,
    evaluationIntervalMs: config.global.evaluationIntervalMs,
    ruleQueryOffsetMs: config.global.ruleQueryOffsetMs,
    externalLabels: config.global.externalLabels,
    alertRelabelConfigs: config.alerting.alertRelabelConfigs,
  };
}

export function splitHostPort(address: string): [string, string] {
  const index = address.lastIndexOf(':');
  if (index < 0) throw new Error(`listen address ${JSON.stringify(address)} has no port (expected host:port or :port)`);
  let host = address.slice(0, index);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = address.slice(index + 1);
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new Error(`listen address ${JSON.stringify(address)} has an invalid port`);
  return [host, port];
}
