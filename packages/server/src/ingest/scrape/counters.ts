/**
 * Plain counters of the scrape subsystem (no metrics library on the hot path). The manager turns them
 * into metric sources for Vigil's /metrics, under Prometheus's own names where the meaning is the same.
 */
import type { ScrapeFailureReason } from './http-client.ts';
import { SCRAPE_FAILURE_REASONS } from './http-client.ts';

export interface ScrapeCounters {
  /** Scrapes attempted (successful or not). */
  scrapes: number;
  /** Failed scrapes by reason. */
  failures: Record<ScrapeFailureReason, number>;
  /** Samples appended by successful scrapes (report series included). */
  samplesAppended: number;
  /** prometheus_target_scrapes_exceeded_sample_limit_total */
  sampleLimitExceeded: number;
  /** prometheus_target_scrapes_exceeded_body_size_limit_total */
  bodySizeLimitExceeded: number;
  /** prometheus_target_scrape_pool_exceeded_label_limits_total */
  labelLimitExceeded: number;
  /** prometheus_target_scrape_pool_exceeded_target_limit_total */
  targetLimitExceeded: number;
  /** prometheus_target_scrapes_sample_out_of_order_total */
  outOfOrder: number;
  /** prometheus_target_scrapes_sample_duplicate_timestamp_total */
  duplicateTimestamp: number;
  /** prometheus_target_scrapes_sample_out_of_bounds_total */
  outOfBounds: number;
  /** prometheus_target_scrapes_cache_flush_forced_total */
  cacheFlushForced: number;
  /** Commits of scraped samples that the store refused. */
  commitFailures: number;
  /** prometheus_target_sync_failed_total, by job: targets whose labels could not be built. */
  syncFailed: Record<string, number>;
}

export function newScrapeCounters(): ScrapeCounters {
  const failures = {} as Record<ScrapeFailureReason, number>;
  for (const reason of SCRAPE_FAILURE_REASONS) failures[reason] = 0;
  return {
    scrapes: 0,
    failures,
    samplesAppended: 0,
    sampleLimitExceeded: 0,
    bodySizeLimitExceeded: 0,
    labelLimitExceeded: 0,
    targetLimitExceeded: 0,
    outOfOrder: 0,
    duplicateTimestamp: 0,
    outOfBounds: 0,
    cacheFlushForced: 0,
    commitFailures: 0,
    syncFailed: {},
  };
}

/** Shape-compatible with serve/self-metrics.ts MetricSource. */
export interface ScrapeMetricSource {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  labelNames?: string[];
  read: () => number | { labels: Record<string, string>; value: number }[];
}
