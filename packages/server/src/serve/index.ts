/** The HTTP face of Vigil: one Hono app, one module per API family. */
export { createApp } from './app.ts';
export type { ServerContext } from './app.ts';
export { ApiError, failure, success } from './response.ts';
export type { BuildInfo, RuntimeInfo } from './status-api.ts';
export { SelfMetrics } from './self-metrics.ts';
export type { MetricSource } from './self-metrics.ts';
export type { QueryEngine } from './query-api.ts';
