import type { Hono } from 'hono';
import type { Storage } from '../store/index.ts';
import { ApiError, api, success } from './response.ts';

export interface BuildInfo {
  version: string;
  revision: string;
  branch: string;
  buildUser: string;
  buildDate: string;
  goVersion: string;
}

export interface RuntimeInfo {
  startTime: string;
  CWD: string;
  reloadConfigSuccess: boolean;
  lastConfigTime: string;
  corruptionCount: number;
  goroutineCount: number;
  GOMAXPROCS: number;
  GOGC: string;
  GODEBUG: string;
  storageRetention: string;
}

export interface StatusSources {
  storage: Storage;
  configYaml: () => string;
  flags: Record<string, string>;
  buildInfo: BuildInfo;
  runtimeInfo: () => RuntimeInfo;
  /** Head statistics that only the TSDB has (WAL replay etc.), merged into /status/tsdb's headStats. */
  headStats?: () => { chunkCount: number; minTime: number; maxTime: number };
}

/** `/api/v1/status/*` in Prometheus's shapes. */
export function mountStatusApi(app: Hono, sources: StatusSources): void {
  app.get('/api/v1/status/config', () => api(() => success({ yaml: sources.configYaml() })));
  app.get('/api/v1/status/flags', () => api(() => success(sources.flags)));
  app.get('/api/v1/status/buildinfo', () => api(() => success(sources.buildInfo)));
  app.get('/api/v1/status/runtimeinfo', () => api(() => success(sources.runtimeInfo())));
  app.get('/api/v1/status/tsdb', (c) =>
    api(() => {
      const limitText = c.req.query('limit') ?? '10';
      const limit = Number(limitText);
      if (!Number.isInteger(limit) || limit <= 0) throw new ApiError('bad_data', `limit must be a positive number: ${JSON.stringify(limitText)}`);
      const stats = sources.storage.stats(limit);
      const finite = (t: number) => (Number.isFinite(t) ? t : 0);
      return success({
        headStats: {
          numSeries: stats.numSeries,
          numLabelPairs: stats.numLabelPairs,
          chunkCount: stats.chunkCount,
          minTime: finite(stats.minTime),
          maxTime: finite(stats.maxTime),
        },
        seriesCountByMetricName: stats.seriesCountByMetricName,
        labelValueCountByLabelName: stats.labelValueCountByLabelName,
        memoryInBytesByLabelName: stats.memoryInBytesByLabelName,
        seriesCountByLabelValuePair: stats.seriesCountByLabelValuePair,
      });
    }),
  );
}
