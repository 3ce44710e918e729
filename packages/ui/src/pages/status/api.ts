/** Prometheus's status APIs the status pages read, in their documented shapes. */
import { fetchJson } from '../../api/http.ts';

export type LabelSet = Record<string, string>;

export interface ActiveTarget {
  discoveredLabels: LabelSet;
  labels: LabelSet;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: 'up' | 'down' | 'unknown';
  scrapeInterval: string;
  scrapeTimeout: string;
}

export interface DroppedTarget {
  discoveredLabels: LabelSet;
}

export interface Targets {
  activeTargets: ActiveTarget[];
  droppedTargets: DroppedTarget[];
  droppedTargetCounts?: Record<string, number>;
}

export interface NameCount {
  name: string;
  value: number;
}

export interface TsdbStatus {
  headStats: { numSeries: number; numLabelPairs: number; chunkCount: number; minTime: number; maxTime: number };
  seriesCountByMetricName: NameCount[];
  labelValueCountByLabelName: NameCount[];
  memoryInBytesByLabelName: NameCount[];
  seriesCountByLabelValuePair: NameCount[];
}

async function data<T>(url: string, signal?: AbortSignal): Promise<T> {
  return (await fetchJson<{ data: T }>(url, { signal })).data;
}

export const targets = (state: 'active' | 'any', signal?: AbortSignal) => data<Targets>(`/api/v1/targets?state=${state}`, signal);
export const tsdbStatus = (limit: number, signal?: AbortSignal) => data<TsdbStatus>(`/api/v1/status/tsdb?limit=${limit}`, signal);
export const configYaml = (signal?: AbortSignal) => data<{ yaml: string }>('/api/v1/status/config', signal);
export const flags = (signal?: AbortSignal) => data<Record<string, string>>('/api/v1/status/flags', signal);
export const buildInfo = (signal?: AbortSignal) => data<Record<string, string>>('/api/v1/status/buildinfo', signal);
export const runtimeInfo = (signal?: AbortSignal) => data<Record<string, string | number | boolean>>('/api/v1/status/runtimeinfo', signal);
