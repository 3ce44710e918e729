/** The notification pipeline: muting, dedup against the notification log, retries, recording. */
export { buildPipeline, integrationName } from './pipeline.ts';
export type { PipelineOptions } from './pipeline.ts';
export { byReceiver, fanout, sequence } from './context.ts';
export type { FlushContext, Stage } from './context.ts';
export { DEFAULT_BACKOFF, dedupStage, muteStage, needsUpdate, retryStage, setNotifiesStage, waitStage } from './stages.ts';
export type { BackoffOptions, DeliveryAttempt, Muting, PipelineObserver, RetryStageOptions, SuppressionReason } from './stages.ts';
