/** Scraping: the manager that runs prometheus.yml's scrape_configs, one loop per target, and the exposition parser. */
export { ScrapeManager } from './manager.ts';
export type { ActiveLoop, ActiveTargetView, DroppedTargetView, ScrapeManagerOptions } from './manager.ts';
export { ScrapeLoop, USER_AGENT, systemTimers } from './scrape-loop.ts';
export type { ScrapeLogger, ScrapeLoopOptions, ScrapeStatus, ScrapeTimers, ScrapedMetadata, TargetHealth } from './scrape-loop.ts';
export { SCRAPE_FAILURE_REASONS, ScrapeError, acceptHeaderFor, buildScrapeUrl } from './http-client.ts';
export type { ScrapeFailureReason } from './http-client.ts';
export { newScrapeCounters } from './counters.ts';
export type { ScrapeCounters, ScrapeMetricSource } from './counters.ts';
export { discoveredLabels, offsetSeed, populateLabels, targetOffsetMs } from './target.ts';
export type { PopulateResult, ResolvedTarget } from './target.ts';
export { FileDiscovery } from './file-sd.ts';
export {
  EntryKind,
  ExpositionError,
  ExpositionParser,
  SCRAPE_ACCEPT_HEADER,
  formatFromContentType,
} from './exposition/index.ts';
export type { ExpositionFormat } from './exposition/index.ts';
