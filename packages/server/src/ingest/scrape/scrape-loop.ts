/**
 * One target's scrape loop, with the semantics of Prometheus's scrapeLoop (scrape/scrape.go):
 *
 * - every scrape appends in one appender and commits once; a scrape that fails (HTTP error, timeout,
 *   body size limit, unknown Content-Type, malformed body, sample_limit, label limits, invalid series)
 *   is rolled back as a whole and counts as an empty scrape, i.e. stale markers for every series of the
 *   last successful scrape;
 * - series present in the previous scrape and absent now get the stale NaN at this scrape's timestamp
 *   (series with explicit timestamps only with track_timestamps_staleness);
 * - `up`, `scrape_duration_seconds`, `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling`,
 *   `scrape_series_added` (and with extra_scrape_metrics `scrape_timeout_seconds`,
 *   `scrape_sample_limit`, `scrape_body_size_bytes`) are appended with the target labels at the
 *   scrape's timestamp, after the scraped samples, in the same commit;
 * - a per-target cache maps the series text to its final labels and storage ref, so a series seen
 *   before costs no label work and a sample costs no allocation (one reused sample object).
 */
import { performance } from 'node:perf_hooks';
import type { Authorization, BasicAuth, HttpHeader, NameValidationScheme, ScrapeProtocol, TlsConfig } from '../../config/index.ts';
import { VERSION } from '../../cli/version.ts';
import {
  METRIC_NAME,
  detach,
  formatLabels,
  getLabel,
  isStaleNaN,
  isValidLabelName,
  isValidMetricName,
  labelsFromPairs,
  staleNaN,
  systemClock,
} from '../../model/index.ts';
import type { Clock, Labels } from '../../model/index.ts';
import { relabel } from '../../model/relabel.ts';
import type { RelabelConfig } from '../../model/relabel.ts';
import { AppendStatus } from '../../store/types.ts';
import type { Appender, Sample, Storage } from '../../store/types.ts';
import { newScrapeCounters } from './counters.ts';
import type { ScrapeCounters } from './counters.ts';
import { EntryKind, ExpositionError, ExpositionParser, SCRAPE_ACCEPT_HEADER, splitExposition } from './exposition/index.ts';
import type { ExpositionFormat } from './exposition/index.ts';
import { ScrapeError, ScrapeHttpClient } from './http-client.ts';
import type { ScrapeResponse } from './http-client.ts';
import { SeriesCache } from './scrape-cache.ts';
import type { CacheEntry } from './scrape-cache.ts';

export type TargetHealth = 'up' | 'down' | 'unknown';

export type ScrapeLogger = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** Timer functions, injectable so tests can drive the schedule. */
export interface ScrapeTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: ScrapeTimers = {
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

export const USER_AGENT = `Vigil/${VERSION}`;

/** Samples more than this far ahead of the scraper's clock are refused as out of bounds (Prometheus's maxAheadTime). */
const MAX_AHEAD_MS = 10 * 60 * 1000;
/** Prometheus's ScrapeTimestampTolerance: a tick this close to its slot is written at the slot. */
const TIMESTAMP_TOLERANCE_MS = 2;

export interface ScrapeLoopOptions {
  /** The full scrape URL (scheme, address, metrics path, query). */
  url: string;
  /** Extra query parameters added to `url` (names already in its query are left alone). */
  params?: Readonly<Record<string, readonly string[]>>;
  /** The target's public labels (canonical; no `__` names): added to every series of the target. */
  targetLabels: Labels;
  intervalMs: number;
  timeoutMs: number;
  /** honor_labels (default false): on conflicts keep the scraped value instead of renaming it to `exported_<name>`. */
  honorLabels?: boolean;
  /** honor_timestamps (default true). */
  honorTimestamps?: boolean;
  /** track_timestamps_staleness (default false). */
  trackTimestampsStaleness?: boolean;
  metricRelabelConfigs?: readonly RelabelConfig[];
  /** 0 = no limit, for all limits. */
  sampleLimit?: number;
  labelLimit?: number;
  labelNameLengthLimit?: number;
  labelValueLengthLimit?: number;
  bodySizeLimit?: number;
  basicAuth?: BasicAuth;
  authorization?: Authorization;
  httpHeaders?: Readonly<Record<string, HttpHeader>>;
  tls?: TlsConfig;
  followRedirects?: boolean;
  /** enable_compression (default true): ask for gzip. */
  enableCompression?: boolean;
  /** Default SCRAPE_ACCEPT_HEADER. */
  acceptHeader?: string;
  /** Used when the target sends a blank or unknown Content-Type. */
  fallbackScrapeProtocol?: ScrapeProtocol;
  /** Default 'utf8' (Prometheus 3). */
  metricNameValidationScheme?: NameValidationScheme;
  /** extra_scrape_metrics: also scrape_timeout_seconds, scrape_sample_limit, scrape_body_size_bytes. */
  extraScrapeMetrics?: boolean;
  storage: Pick<Storage, 'appender'>;
  clock?: Clock;
  /** Where in each interval the scrapes happen, in ms from an interval boundary of the epoch. */
  offsetMs?: number;
  counters?: ScrapeCounters;
  log?: ScrapeLogger;
  timers?: ScrapeTimers;
  /** A cache taken over from the loop this one replaces (same target, changed config). */
  cache?: SeriesCache;
}

/** What the targets API shows about a loop. */
/** A metric family's metadata as a target exposes it. */
export interface ScrapedMetadata {
  metricFamily: string;
  type: string;
  help: string;
  unit: string;
}

export interface ScrapeStatus {
  health: TargetHealth;
  lastError: string;
  /** ms since the epoch, or null before the first scrape. */
  lastScrape: number | null;
  lastScrapeDurationSeconds: number;
}

const REPORT_NAMES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'] as const;
const EXTRA_REPORT_NAMES = ['scrape_timeout_seconds', 'scrape_sample_limit', 'scrape_body_size_bytes'] as const;

/** One TYPE, HELP or UNIT line of a scrape: the line as written and what it says (detached strings). */
interface MetadataLine {
  line: string;
  kind: number;
  family: string;
  text: string;
}

/** Per-scrape tallies of the append step (kept on the loop, reset per scrape: no allocation). */
interface AppendTally {
  total: number;
  added: number;
  seriesAdded: number;
  appended: number;
  outOfOrder: number;
  duplicate: number;
  outOfBounds: number;
}

const SAMPLE_LIMIT_HIT = -100;

export class ScrapeLoop {
  readonly url: string;
  readonly targetLabels: Labels;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly offsetMs: number;
  private readonly o: ScrapeLoopOptions;
  private readonly storage: Pick<Storage, 'appender'>;
  private readonly clock: Clock;
  private readonly counters: ScrapeCounters;
  private readonly log: ScrapeLogger;
  private readonly timers: ScrapeTimers;
  private readonly client: ScrapeHttpClient;
  private cache: SeriesCache;
  private readonly honorLabels: boolean;
  private readonly honorTimestamps: boolean;
  private readonly trackTimestampsStaleness: boolean;
  private readonly mrc: readonly RelabelConfig[];
  private readonly legacyNames: boolean;

  /** The one sample object every append reuses. */
  private readonly sample: { kind: 'float'; timestamp: number; value: number } = { kind: 'float', timestamp: 0, value: 0 };
  private readonly scratch: string[] = [];
  private readonly tally: AppendTally = { total: 0, added: 0, seriesAdded: 0, appended: 0, outOfOrder: 0, duplicate: 0, outOfBounds: 0 };
  private readonly reportLabels: Labels[];
  private readonly reportRefs: number[];

  private health: TargetHealth = 'unknown';
  private lastError = '';
  private lastScrape: number | null = null;
  /** TYPE/HELP/UNIT of the metric families in the last successful scrape (for /api/v1/metadata). */
  private metadata = new Map<string, ScrapedMetadata>();
  private nextMetadata = new Map<string, ScrapedMetadata>();
  /** The TYPE/HELP/UNIT lines `metadata` was built from, in order (targets repeat them unchanged). */
  private metadataLines: MetadataLine[] = [];
  /** This scrape's metadata lines so far equal the first `metadataSeen` of metadataLines; null once they differ. */
  private metadataSeen: number | null = 0;
  private nextMetadataLines: MetadataLine[] = [];
  private metadataFormat: ExpositionFormat | null = null;
  private lastDurationSeconds = 0;
  private forcedError: ScrapeError | null = null;

  private stopped = false;
  private started = false;
  private busy = false;
  private inflight: Promise<void> = Promise.resolve();
  private timer: unknown = null;
  private nextAt = 0;

  constructor(options: ScrapeLoopOptions) {
    this.o = options;
    this.url = withParams(options.url, options.params);
    this.targetLabels = options.targetLabels;
    this.intervalMs = options.intervalMs;
    this.timeoutMs = options.timeoutMs;
    this.offsetMs = Math.max(0, Math.min(options.offsetMs ?? 0, options.intervalMs));
    this.storage = options.storage;
    this.clock = options.clock ?? systemClock;
    this.counters = options.counters ?? newScrapeCounters();
    this.log = options.log ?? (() => {});
    this.timers = options.timers ?? systemTimers;
    this.cache = options.cache ?? new SeriesCache();
    this.honorLabels = options.honorLabels ?? false;
    this.honorTimestamps = options.honorTimestamps ?? true;
    this.trackTimestampsStaleness = options.trackTimestampsStaleness ?? false;
    this.mrc = options.metricRelabelConfigs ?? [];
    this.legacyNames = options.metricNameValidationScheme === 'legacy';
    this.client = new ScrapeHttpClient({
      url: this.url,
      timeoutMs: options.timeoutMs,
      bodySizeLimit: options.bodySizeLimit ?? 0,
      acceptHeader: options.acceptHeader ?? SCRAPE_ACCEPT_HEADER,
      enableCompression: options.enableCompression ?? true,
      followRedirects: options.followRedirects ?? true,
      userAgent: USER_AGENT,
      basicAuth: options.basicAuth,
      authorization: options.authorization,
      httpHeaders: options.httpHeaders,
      tls: options.tls,
    });
    const names: string[] = [...REPORT_NAMES];
    if (options.extraScrapeMetrics === true) names.push(...EXTRA_REPORT_NAMES);
    // Prometheus's mutateReportSampleLabels: the target labels win over the report series' own.
    this.reportLabels = names.map((name) => labelsFromPairs([METRIC_NAME, name, ...options.targetLabels]));
    this.reportRefs = names.map(() => 0);
  }

  status(): ScrapeStatus {
    return { health: this.health, lastError: this.lastError, lastScrape: this.lastScrape, lastScrapeDurationSeconds: this.lastDurationSeconds };
  }

  /**
   * An error every scrape reports instead of scraping (target_limit exceeded, an unsupported client
   * setting); null clears it. Such scrapes still write stale markers and `up` 0.
   */
  setForcedError(error: ScrapeError | null): void {
    this.forcedError = error;
  }

  /** Starts the timer: the first scrape at the loop's offset within the interval, then every interval. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const now = this.clock.now();
    const interval = this.intervalMs;
    let next = interval - (now % interval) + this.offsetMs;
    if (next > interval) next -= interval;
    this.nextAt = now + next;
    this.schedule();
  }

  /** Scrapes now (after any scrape in flight), at the clock's current time. */
  scrapeOnce(): Promise<void> {
    return this.enqueue(null);
  }

  /**
   * Stops the loop: no further scrapes, waits for the one in flight. With `staleMarkers` (default)
   * every series of the last scrape and the report series get a stale marker at the stop time.
   */
  async stop(options: { staleMarkers?: boolean } = {}): Promise<void> {
    if (this.stopped) {
      await this.inflight;
      return;
    }
    this.stopped = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    await this.inflight;
    try {
      if ((options.staleMarkers ?? true) && this.lastScrape !== null) await this.writeEndOfRunStaleness(this.clock.now());
    } finally {
      this.client.close();
    }
  }

  /** Resolves when no scrape is in flight (tests driving fake timers wait on it between steps). */
  async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.inflight;
      await current;
    } while (current !== this.inflight);
  }

  /** Hands the series cache to a loop replacing this one; call before stop({ staleMarkers: false }). */
  takeCache(): SeriesCache {
    const cache = this.cache;
    this.cache = new SeriesCache();
    return cache;
  }

  private schedule(): void {
    const delay = Math.max(0, this.nextAt - this.clock.now());
    this.timer = this.timers.setTimeout(() => this.tick(), delay);
  }

  private tick(): void {
    this.timer = null;
    if (this.stopped) return;
    const now = this.clock.now();
    const interval = this.intervalMs;
    // A tick may have been missed (a blocked event loop): move to the slot we are in.
    while (now - this.nextAt >= interval) this.nextAt += interval;
    const aligned = this.nextAt;
    const tolerance = Math.min(interval / 100, TIMESTAMP_TOLERANCE_MS);
    const timestamp = now - aligned <= tolerance ? aligned : now;
    this.nextAt += interval;
    // Like a Go ticker, a tick that comes while the previous scrape still runs is dropped.
    if (!this.busy) {
      this.enqueue(timestamp).catch((error: unknown) => this.log('error', 'scrape failed unexpectedly', { target: this.url, err: String(error) }));
    }
    this.schedule();
  }

  private enqueue(timestamp: number | null): Promise<void> {
    if (this.stopped) return this.inflight;
    const run = this.inflight.then(() => (this.stopped ? undefined : this.scrape(timestamp ?? this.clock.now())));
    this.inflight = run.catch(() => {});
    return run;
  }

  private async scrape(appendTime: number): Promise<void> {
    this.busy = true;
    try {
      await this.scrapeAndReport(appendTime);
    } finally {
      this.busy = false;
    }
  }

  private async scrapeAndReport(appendTime: number): Promise<void> {
    const started = performance.now();
    const counters = this.counters;
    counters.scrapes++;
    const tally = this.tally;
    tally.total = tally.added = tally.seriesAdded = tally.appended = 0;
    tally.outOfOrder = tally.duplicate = tally.outOfBounds = 0;
    let bytes = 0;
    let scrapeError: ScrapeError | null = null;
    let app = this.storage.appender();

    if (this.forcedError !== null) {
      scrapeError = this.forcedError;
      this.appendEmpty(app, appendTime);
    } else {
      let response: ScrapeResponse | null = null;
      try {
        response = await this.client.fetch();
        bytes = response.bytes;
      } catch (error) {
        scrapeError = error instanceof ScrapeError ? error : new ScrapeError('http', (error as Error).message);
        if (scrapeError.reason === 'body_size_limit') {
          bytes = -1;
          counters.bodySizeLimitExceeded++;
        }
      }
      if (response !== null && response.body.length > 0) {
        const appendError = this.appendBody(app, response, appendTime);
        if (appendError !== null) {
          app.rollback();
          this.cache.resetCurrent();
          app = this.storage.appender();
          tally.appended = 0;
          // Like Prometheus: a failed append is an empty scrape, so every series goes stale.
          this.appendEmpty(app, appendTime);
          scrapeError = appendError;
        }
      } else {
        // A failed scrape, or an empty body: every series of the previous scrape goes stale.
        this.appendEmpty(app, appendTime);
      }
    }

    const durationSeconds = (performance.now() - started) / 1000;
    this.health = scrapeError === null ? 'up' : 'down';
    this.lastError = scrapeError === null ? '' : scrapeError.message;
    this.lastScrape = appendTime;
    this.lastDurationSeconds = durationSeconds;
    if (scrapeError !== null) counters.failures[scrapeError.reason]++;

    const reportError = this.report(app, appendTime, durationSeconds, scrapeError === null ? 1 : 0, bytes);
    if (reportError !== null) {
      app.rollback();
      this.log('warn', 'Appending scrape report failed', { target: this.url, err: reportError });
      return;
    }
    try {
      await app.commit();
      counters.samplesAppended += tally.appended;
    } catch (error) {
      counters.commitFailures++;
      this.log('error', 'Scrape commit failed', { target: this.url, err: (error as Error).message });
    }
  }

  /** An empty scrape: stale markers for every series the previous scrape produced; the cache is not flushed. */
  private appendEmpty(app: Appender, timestamp: number): void {
    this.appendStaleMarkers(app, timestamp);
    if (this.cache.iterDone(false)) this.counters.cacheFlushForced++;
  }

  private appendStaleMarkers(app: Appender, timestamp: number): void {
    const sample = this.sample;
    sample.timestamp = timestamp;
    sample.value = staleNaN();
    this.cache.forEachStale((entry) => {
      // Out of order / duplicate: expected when a target came back under a new loop; ignored.
      const ref = app.append(entry.ref, entry.labels, sample);
      if (ref > 0) {
        this.cache.updateRef(entry, ref);
        this.tally.appended++;
      }
    });
  }

  private resolveFormat(contentType: string): ExpositionFormat {
    const fallback = this.o.fallbackScrapeProtocol;
    const semi = contentType.indexOf(';');
    const mediaType = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
    let problem: string;
    if (contentType.trim() === '') {
      problem = 'non-compliant scrape target sending blank Content-Type';
    } else if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+\/[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(mediaType)) {
      problem = `cannot parse Content-Type ${JSON.stringify(contentType)}`;
    } else if (mediaType === 'application/openmetrics-text') {
      return 'openmetrics';
    } else if (mediaType === 'text/plain') {
      return 'text';
    } else if (mediaType === 'application/vnd.google.protobuf') {
      throw new ScrapeError('content_type', 'the protobuf exposition format is not supported by Vigil yet');
    } else {
      problem = `received unsupported Content-Type ${JSON.stringify(contentType)}`;
    }
    if (fallback === undefined) throw new ScrapeError('content_type', `${problem} and no fallback_scrape_protocol specified for target`);
    if (fallback === 'PrometheusProto') throw new ScrapeError('content_type', 'the protobuf exposition format is not supported by Vigil yet');
    return fallback.startsWith('OpenMetrics') ? 'openmetrics' : 'text';
  }

  /**
   * Parses the body and appends every sample. Returns the error that fails the scrape, or null; on
   * success the stale markers are written and the cache iteration closed.
   */
  private appendBody(app: Appender, response: ScrapeResponse, appendTime: number): ScrapeError | null {
    let format: ExpositionFormat;
    try {
      format = this.resolveFormat(response.contentType);
    } catch (error) {
      return error as ScrapeError;
    }
    this.nextMetadata.clear();
    this.nextMetadataLines.length = 0;
    // The same line can say something else in the other format (HELP escapes differ).
    this.metadataSeen = format === this.metadataFormat ? 0 : null;
    // The body is decoded and parsed in pieces cut at line ends, so no scrape becomes one large string.
    const body = response.body;
    const pieces = splitExposition(body);
    let piece = 0;
    const decodePiece = (i: number) => Buffer.from(body.buffer, body.byteOffset + pieces[i].start, pieces[i].end - pieces[i].start).toString('utf8');
    let parser = new ExpositionParser(decodePiece(0), format, pieces.length > 1 ? { line: 1, more: true } : undefined);
    const cache = this.cache;
    const counters = this.counters;
    const tally = this.tally;
    const sample = this.sample;
    const honorTimestamps = this.honorTimestamps;
    const track = this.trackTimestampsStaleness;
    const maxTime = this.clock.now() + MAX_AHEAD_MS;
    const sampleLimit = (this.o.sampleLimit ?? 0) > 0 ? (this.o.sampleLimit as number) : Infinity;
    let limited = 0;
    let sampleLimitHit = false;
    let exemplarScratch: string[] | null = null;
    const predicting = cache.orderFormat === format;

    for (;;) {
      let kind: number;
      // The series the previous scrape wrote next: the parser compares it in place, so a series
      // written as before costs neither label parsing nor a map lookup.
      const predicted = predicting ? cache.predicted() : undefined;
      parser.predictSeries(predicted === undefined ? null : predicted.text);
      // Likewise the TYPE/HELP/UNIT line the previous scrape had next.
      const seen = this.metadataSeen;
      parser.predictMetadata(seen === null ? null : (this.metadataLines[seen] ?? null));
      try {
        kind = parser.next();
      } catch (error) {
        if (error instanceof ExpositionError) return new ScrapeError('parse', error.message);
        throw error;
      }
      if (kind === 0 && piece + 1 < pieces.length) {
        piece++;
        parser = new ExpositionParser(decodePiece(piece), format, parser.continuationAfter(piece + 1 < pieces.length));
        continue;
      }
      if (kind === EntryKind.EOF && piece + 1 < pieces.length) {
        return new ScrapeError('parse', `line ${parser.line + 1}: unexpected data after # EOF`);
      }
      if (kind === 0 || kind === EntryKind.EOF) break;
      if (kind !== EntryKind.Series) {
        if (kind === EntryKind.Type || kind === EntryKind.Help || kind === EntryKind.Unit) this.noteMetadataLine(parser, kind);
        continue;
      }
      tally.total++;

      const parsedTs = honorTimestamps ? parser.timestamp : undefined;
      const t = parsedTs ?? appendTime;
      let text = '';
      let entry: CacheEntry | undefined = predicted;
      if (!parser.predictionHit) {
        text = parser.seriesText();
        entry = cache.get(text);
        // Dropped texts are looked up only on a miss: kept series, the common case, cost one lookup.
        if (entry === undefined && cache.isDropped(text)) continue;
      }
      let labels: Labels;
      let alreadyScraped = false;
      if (entry !== undefined) {
        alreadyScraped = cache.see(entry);
        labels = entry.labels;
      } else {
        const scratch = this.scratch;
        scratch.length = 0;
        try {
          parser.labels(scratch);
        } catch (error) {
          if (error instanceof ExpositionError) return new ScrapeError('parse', error.message);
          throw error;
        }
        const built = this.seriesLabels(scratch);
        if (built === null) {
          cache.addDropped(text);
          continue;
        }
        const invalid = this.validate(built);
        if (invalid !== null) return invalid;
        labels = built;
      }

      let status: number;
      const value = parser.value;
      if (alreadyScraped && parsedTs === undefined) {
        status = AppendStatus.DuplicateTimestamp;
      } else if (t > maxTime) {
        status = AppendStatus.OutOfBounds;
      } else if ((entry === undefined || !isStaleNaN(value)) && ++limited > sampleLimit) {
        // Like Prometheus's limitAppender: a stale marker of a known series is not counted.
        status = SAMPLE_LIMIT_HIT;
      } else {
        sample.timestamp = t;
        sample.value = value;
        status = app.append(entry === undefined ? 0 : entry.ref, labels, sample);
      }

      let sampleAdded = false;
      if (status > 0) {
        sampleAdded = true;
        tally.appended++;
        if (entry !== undefined) {
          cache.updateRef(entry, status);
          if (parsedTs === undefined || track) cache.trackStaleness(entry);
        }
      } else {
        switch (status) {
          case SAMPLE_LIMIT_HIT:
            sampleLimitHit = true;
            break;
          case AppendStatus.OutOfOrder:
            tally.outOfOrder++;
            counters.outOfOrder++;
            break;
          case AppendStatus.DuplicateTimestamp:
            tally.duplicate++;
            counters.duplicateTimestamp++;
            break;
          case AppendStatus.OutOfBounds:
            tally.outOfBounds++;
            counters.outOfBounds++;
            break;
          case AppendStatus.InvalidLabels:
            return new ScrapeError('invalid_series', `invalid labels ${formatLabels(labels)}`);
          default:
            return new ScrapeError('storage', 'storage unavailable');
        }
      }

      if (entry === undefined && sampleAdded) {
        entry = cache.add(text, status, labels);
        if (parsedTs === undefined || track) cache.trackStaleness(entry);
        if (!sampleLimitHit) tally.seriesAdded++;
      }
      tally.added++;

      if (sampleAdded && parser.exemplarFollows) {
        exemplarScratch ??= [];
        exemplarScratch.length = 0;
        let hasExemplar = false;
        try {
          hasExemplar = parser.exemplar(exemplarScratch);
        } catch {
          // Like Prometheus: an invalid exemplar is dropped, the sample is kept.
        }
        if (hasExemplar) {
          const exemplar: Sample = {
            kind: 'exemplar',
            timestamp: parser.exemplarTimestamp ?? t,
            value: parser.exemplarValue,
            labels: labelsFromPairs(exemplarScratch),
          };
          app.append(status, labels, exemplar);
        }
      }
    }

    if (tally.outOfOrder > 0) this.log('warn', 'Error on ingesting out-of-order samples', { target: this.url, num_dropped: tally.outOfOrder });
    if (tally.duplicate > 0) {
      this.log('warn', 'Error on ingesting samples with different value but same timestamp', { target: this.url, num_dropped: tally.duplicate });
    }
    if (tally.outOfBounds > 0) {
      this.log('warn', 'Error on ingesting samples that are too old or are too far into the future', { target: this.url, num_dropped: tally.outOfBounds });
    }
    if (sampleLimitHit) {
      counters.sampleLimitExceeded++;
      return new ScrapeError('sample_limit', 'sample limit exceeded');
    }
    this.appendStaleMarkers(app, appendTime);
    cache.orderFormat = format;
    if (cache.iterDone(true)) counters.cacheFlushForced++;
    this.publishMetadata(format);
    return null;
  }

  /**
   * A TYPE, HELP or UNIT line. While a scrape repeats the previous one's lines in order (the usual
   * case), nothing but the comparison of each line is done; at the first difference the lines so far
   * are replayed and the metadata is rebuilt from there on.
   */
  private noteMetadataLine(parser: ExpositionParser, kind: number): void {
    const line = parser.metadataLine();
    const seen = this.metadataSeen;
    if (seen !== null) {
      const previous = this.metadataLines[seen];
      if (previous !== undefined && previous.line === line) {
        this.metadataSeen = seen + 1;
        return;
      }
      this.replayMetadata(seen);
    }
    const entry: MetadataLine = { line: detach(line), kind, family: detach(parser.metadataName()), text: detach(parser.metadataText()) };
    this.nextMetadataLines.push(entry);
    this.noteMetadata(kind, entry.family, entry.text);
  }

  /** Rebuilds the next metadata from the first `count` lines of the previous scrape's. */
  private replayMetadata(count: number): void {
    this.metadataSeen = null;
    const lines = this.nextMetadataLines;
    lines.length = 0;
    for (let i = 0; i < count; i++) {
      const previous = this.metadataLines[i];
      lines.push(previous);
      this.noteMetadata(previous.kind, previous.family, previous.text);
    }
  }

  /** At the end of a successful scrape: its metadata becomes the loop's (unchanged when its lines were the same). */
  private publishMetadata(format: ExpositionFormat): void {
    if (this.metadataSeen === this.metadataLines.length) return;
    this.metadataFormat = format;
    if (this.metadataSeen !== null) this.replayMetadata(this.metadataSeen);
    this.metadata = this.nextMetadata;
    this.nextMetadata = new Map();
    const lines = this.metadataLines;
    this.metadataLines = this.nextMetadataLines;
    this.nextMetadataLines = lines;
    lines.length = 0;
  }

  /** Adds one line's information to the next metadata (strings already detached from the body). */
  private noteMetadata(kind: number, family: string, text: string): void {
    let entry = this.nextMetadata.get(family);
    if (entry === undefined) this.nextMetadata.set(family, (entry = { metricFamily: family, type: 'unknown', help: '', unit: '' }));
    // The text format says "untyped" where OpenMetrics and the API say "unknown".
    if (kind === EntryKind.Type) entry.type = text === 'untyped' ? 'unknown' : text;
    else if (kind === EntryKind.Help) entry.help = text;
    else entry.unit = text;
  }

  /** The metric metadata (TYPE, HELP, UNIT) of the target's last successful scrape. */
  listMetadata(): Iterable<Readonly<ScrapedMetadata>> {
    return this.metadata.values();
  }

  /** Scraped labels (flat pairs as written) → final labels: target labels merged, metric relabeling applied. Null = dropped. */
  private seriesLabels(scraped: string[]): Labels | null {
    const exposed = labelsFromPairs(scraped);
    const target = this.targetLabels;
    let merged: Labels = exposed;
    if (target.length > 0) {
      const map = new Map<string, string>();
      for (let i = 0; i < exposed.length; i += 2) map.set(exposed[i], exposed[i + 1]);
      if (this.honorLabels) {
        for (let i = 0; i < target.length; i += 2) if (!map.has(target[i])) map.set(target[i], target[i + 1]);
      } else {
        let conflicts: [string, string][] | null = null;
        for (let i = 0; i < target.length; i += 2) {
          const existing = map.get(target[i]);
          if (existing !== undefined) (conflicts ??= []).push([target[i], existing]);
          map.set(target[i], target[i + 1]);
        }
        if (conflicts !== null) {
          // Shorter names first (stable), each renamed to the first free exported_…exported_<name>.
          conflicts.sort((a, b) => a[0].length - b[0].length);
          for (const [name, value] of conflicts) {
            let renamed = name;
            do renamed = `exported_${renamed}`;
            while (map.has(renamed));
            map.set(renamed, value);
          }
        }
      }
      const pairs: string[] = [];
      for (const [name, value] of map) pairs.push(name, value);
      merged = labelsFromPairs(pairs);
    }
    if (this.mrc.length === 0) return merged;
    const relabeled = relabel(merged, this.mrc);
    return relabeled === null || relabeled.length === 0 ? null : relabeled;
  }

  /** The checks Prometheus makes on a new series: metric name present, names valid, label limits. */
  private validate(labels: Labels): ScrapeError | null {
    const name = getLabel(labels, METRIC_NAME);
    if (name === '') return new ScrapeError('invalid_series', `missing metric name (${METRIC_NAME} label)`);
    for (let i = 0; i < labels.length; i += 2) {
      const n = labels[i];
      const ok = this.legacyNames ? (n === METRIC_NAME ? isValidMetricName(labels[i + 1]) : isValidLabelName(n)) : n !== '';
      if (!ok) return new ScrapeError('invalid_series', `invalid metric name or label names: ${formatLabelSet(labels)}`);
    }
    const o = this.o;
    const labelLimit = o.labelLimit ?? 0;
    const nameLimit = o.labelNameLengthLimit ?? 0;
    const valueLimit = o.labelValueLengthLimit ?? 0;
    const metric = truncate(name, 50);
    if (labelLimit > 0 && labels.length / 2 > labelLimit) {
      this.counters.labelLimitExceeded++;
      return new ScrapeError('label_limit', `label_limit exceeded (metric: ${metric}, number of labels: ${labels.length / 2}, limit: ${labelLimit})`);
    }
    if (nameLimit === 0 && valueLimit === 0) return null;
    for (let i = 0; i < labels.length; i += 2) {
      const n = labels[i];
      const v = labels[i + 1];
      const nameLength = Buffer.byteLength(n, 'utf8');
      if (nameLimit > 0 && nameLength > nameLimit) {
        this.counters.labelLimitExceeded++;
        return new ScrapeError(
          'label_limit',
          `label_name_length_limit exceeded (metric: ${metric}, label name: ${truncate(n, 50)}, length: ${nameLength}, limit: ${nameLimit})`,
        );
      }
      const valueLength = Buffer.byteLength(v, 'utf8');
      if (valueLimit > 0 && valueLength > valueLimit) {
        this.counters.labelLimitExceeded++;
        return new ScrapeError(
          'label_limit',
          `label_value_length_limit exceeded (metric: ${metric}, label name: ${truncate(n, 50)}, value: ${JSON.stringify(truncate(v, 50))}, length: ${valueLength}, limit: ${valueLimit})`,
        );
      }
    }
    return null;
  }

  private report(app: Appender, timestamp: number, durationSeconds: number, health: number, bytes: number): string | null {
    const tally = this.tally;
    const values = [health, durationSeconds, tally.total, tally.added, tally.seriesAdded, this.timeoutMs / 1000, this.o.sampleLimit ?? 0, bytes];
    for (let i = 0; i < this.reportLabels.length; i++) {
      const error = this.appendReport(app, i, timestamp, values[i]);
      if (error !== null) return error;
    }
    return null;
  }

  private appendReport(app: Appender, index: number, timestamp: number, value: number): string | null {
    const sample = this.sample;
    sample.timestamp = timestamp;
    sample.value = value;
    const status = app.append(this.reportRefs[index], this.reportLabels[index], sample);
    if (status > 0) {
      this.reportRefs[index] = status;
      this.tally.appended++;
      return null;
    }
    if (status === AppendStatus.OutOfOrder || status === AppendStatus.DuplicateTimestamp) return null;
    return `${formatLabels(this.reportLabels[index])}: append refused (${status})`;
  }

  private async writeEndOfRunStaleness(timestamp: number): Promise<void> {
    const app = this.storage.appender();
    this.tally.appended = 0;
    this.appendEmpty(app, timestamp);
    for (let i = 0; i < this.reportLabels.length; i++) {
      const error = this.appendReport(app, i, timestamp, staleNaN());
      if (error !== null) this.log('warn', 'Stale report failed', { target: this.url, err: error });
    }
    try {
      await app.commit();
    } catch (error) {
      this.counters.commitFailures++;
      this.log('warn', 'Stale commit failed', { target: this.url, err: (error as Error).message });
    }
  }
}

function truncate(text: string, points: number): string {
  if (text.length <= points) return text;
  return Array.from(text).slice(0, points).join('');
}

/** Prometheus's labels.String(): `{a="1", b="2"}`. */
function formatLabelSet(labels: Labels): string {
  const parts: string[] = [];
  for (let i = 0; i < labels.length; i += 2) parts.push(`${labels[i]}=${JSON.stringify(labels[i + 1])}`);
  return `{${parts.join(', ')}}`;
}

function withParams(url: string, params: Readonly<Record<string, readonly string[]>> | undefined): string {
  if (params === undefined || Object.keys(params).length === 0) return url;
  const parsed = new URL(url);
  for (const [name, values] of Object.entries(params)) {
    if (parsed.searchParams.has(name)) continue;
    for (const value of values) parsed.searchParams.append(name, value);
  }
  return parsed.toString();
}
