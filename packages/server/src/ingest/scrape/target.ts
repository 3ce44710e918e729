/**
 * Target labels as Prometheus computes them (scrape/target.go PopulateDiscoveredLabels /
 * PopulateLabels): discovered labels (the target's, then its group's, then `job`,
 * `__scrape_interval__`, `__scrape_timeout__`, `__metrics_path__`, `__scheme__` and `__param_<name>`
 * where not set already), relabel_configs, validation, `__meta_*` removed, `instance` defaulted to
 * `__address__`. The other `__` labels stay on the target (they build its URL and schedule) but are
 * not added to its series.
 */
import { createHash } from 'node:crypto';
import type { ScrapeConfig } from '../../config/index.ts';
import { formatDuration, getLabel, labelsFromPairs, labelsKey, parseDuration } from '../../model/index.ts';
import type { Labels } from '../../model/index.ts';
import { relabel } from '../../model/relabel.ts';
import { buildScrapeUrl } from './http-client.ts';

export const ADDRESS_LABEL = '__address__';
export const SCHEME_LABEL = '__scheme__';
export const METRICS_PATH_LABEL = '__metrics_path__';
export const SCRAPE_INTERVAL_LABEL = '__scrape_interval__';
export const SCRAPE_TIMEOUT_LABEL = '__scrape_timeout__';
export const PARAM_LABEL_PREFIX = '__param_';
export const META_LABEL_PREFIX = '__meta_';
export const RESERVED_LABEL_PREFIX = '__';
export const INSTANCE_LABEL = 'instance';
export const JOB_LABEL = 'job';

/** A target whose labels were built: what the scrape loop needs to run. */
export interface ResolvedTarget {
  /** Labels after relabeling, `__meta_*` removed, `instance` set (still with `__address__` etc.). */
  labels: Labels;
  /** `labels` without `__`-prefixed names: added to every scraped series and shown by the API. */
  publicLabels: Labels;
  /** Labels before relabeling. */
  discoveredLabels: Labels;
  url: string;
  intervalMs: number;
  timeoutMs: number;
  /** Identity within a pool: labels plus URL (Prometheus's Target.hash inputs). */
  key: string;
}

export type PopulateResult =
  | { kind: 'active'; target: ResolvedTarget }
  | { kind: 'dropped'; discoveredLabels: Labels }
  | { kind: 'error'; discoveredLabels: Labels; error: string };

/** The labels of a discovered target before relabeling. */
export function discoveredLabels(
  config: ScrapeConfig,
  targetLabels: Readonly<Record<string, string>>,
  groupLabels: Readonly<Record<string, string>>,
): Labels {
  const set = new Map<string, string>();
  const put = (name: string, value: string) => {
    if (value === '') set.delete(name);
    else set.set(name, value);
  };
  for (const [name, value] of Object.entries(targetLabels)) put(name, value);
  for (const [name, value] of Object.entries(groupLabels)) if (!Object.hasOwn(targetLabels, name)) put(name, value);
  const defaults: [string, string][] = [
    [JOB_LABEL, config.jobName],
    [SCRAPE_INTERVAL_LABEL, formatDuration(config.scrapeIntervalMs)],
    [SCRAPE_TIMEOUT_LABEL, formatDuration(config.scrapeTimeoutMs)],
    [METRICS_PATH_LABEL, config.metricsPath],
    [SCHEME_LABEL, config.scheme],
  ];
  for (const [name, value] of defaults) if ((set.get(name) ?? '') === '') put(name, value);
  for (const [name, values] of Object.entries(config.params)) {
    const label = PARAM_LABEL_PREFIX + name;
    if (values.length > 0 && (set.get(label) ?? '') === '') put(label, values[0]);
  }
  const pairs: string[] = [];
  for (const [name, value] of set) pairs.push(name, value);
  return labelsFromPairs(pairs);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Builds one target's labels; `dropped` when relabeling drops it, `error` when its labels are unusable. */
export function populateLabels(
  config: ScrapeConfig,
  targetLabels: Readonly<Record<string, string>>,
  groupLabels: Readonly<Record<string, string>>,
): PopulateResult {
  const discovered = discoveredLabels(config, targetLabels, groupLabels);
  const relabeled = relabel(discovered, config.relabelConfigs);
  if (relabeled === null) return { kind: 'dropped', discoveredLabels: discovered };
  const fail = (error: string): PopulateResult => ({ kind: 'error', discoveredLabels: discovered, error });

  const address = getLabel(relabeled, ADDRESS_LABEL);
  if (address === '') return fail('no address');
  if (address.includes('/')) return fail(`${JSON.stringify(address)} is not a valid hostname`);

  const intervalText = getLabel(relabeled, SCRAPE_INTERVAL_LABEL);
  let intervalMs: number;
  try {
    intervalMs = parseDuration(intervalText);
  } catch (error) {
    return fail(`error parsing scrape interval: ${(error as Error).message}`);
  }
  if (intervalMs === 0) return fail('scrape interval cannot be 0');
  const timeoutText = getLabel(relabeled, SCRAPE_TIMEOUT_LABEL);
  let timeoutMs: number;
  try {
    timeoutMs = parseDuration(timeoutText);
  } catch (error) {
    return fail(`error parsing scrape timeout: ${(error as Error).message}`);
  }
  if (timeoutMs === 0) return fail('scrape timeout cannot be 0');
  if (timeoutMs > intervalMs) {
    return fail(`scrape timeout cannot be greater than scrape interval (${JSON.stringify(timeoutText)} > ${JSON.stringify(intervalText)})`);
  }

  const pairs: string[] = [];
  let hasInstance = false;
  for (let i = 0; i < relabeled.length; i += 2) {
    const name = relabeled[i];
    if (name.startsWith(META_LABEL_PREFIX)) continue;
    if (name === INSTANCE_LABEL) hasInstance = true;
    pairs.push(name, relabeled[i + 1]);
  }
  if (!hasInstance) pairs.push(INSTANCE_LABEL, address);
  const labels = labelsFromPairs(pairs);
  for (let i = 0; i < labels.length; i += 2) {
    if (LONE_SURROGATE.test(labels[i + 1])) return fail(`invalid label value for ${JSON.stringify(labels[i])}: ${JSON.stringify(labels[i + 1])}`);
  }

  const publicPairs: string[] = [];
  const paramLabels: Record<string, string> = {};
  for (let i = 0; i < labels.length; i += 2) {
    const name = labels[i];
    if (name.startsWith(PARAM_LABEL_PREFIX)) paramLabels[name.slice(PARAM_LABEL_PREFIX.length)] = labels[i + 1];
    if (!name.startsWith(RESERVED_LABEL_PREFIX)) publicPairs.push(name, labels[i + 1]);
  }
  const url = buildScrapeUrl(getLabel(labels, SCHEME_LABEL), address, getLabel(labels, METRICS_PATH_LABEL), config.params, paramLabels);
  return {
    kind: 'active',
    target: {
      labels,
      publicLabels: publicPairs,
      discoveredLabels: discovered,
      url,
      intervalMs,
      timeoutMs,
      key: `${labelsKey(labels)}\u0000${url}`,
    },
  };
}

/**
 * Where in its interval a target is scraped: a hash of its identity (labels and URL) mixed with the
 * server's seed, modulo the interval. Spreads targets over the interval and keeps each at the same
 * phase across restarts, as Prometheus's Target.offset does.
 */
export function targetOffsetMs(key: string, intervalMs: number, seed: bigint): number {
  const digest = createHash('sha256').update(key, 'utf8').digest();
  const hash = digest.readBigUInt64BE(0) ^ seed;
  return Number(hash % BigInt(Math.max(1, Math.floor(intervalMs))));
}

/** The server-wide offset seed: hostname and external labels (Prometheus's setOffsetSeed). */
export function offsetSeed(hostname: string, externalLabels: Readonly<Record<string, string>>): bigint {
  const text = hostname + JSON.stringify(Object.entries(externalLabels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash('sha256').update(text, 'utf8').digest().readBigUInt64BE(0);
}
