/**
 * The alerting APIs the pages read, in their documented shapes: Prometheus's `/api/v1/rules` and
 * `/api/v1/alerts`, Alertmanager's `/api/v2/alerts/groups`, `/api/v2/alerts`, `/api/v2/silences`,
 * `/api/v2/silence/<id>`, and Vigil's `/api/v2/history`.
 */
import { ApiRequestError, fetchJson } from '../../api/http.ts';
import type { ApiMatcher } from './matchers.ts';

export type LabelSet = Record<string, string>;

export interface GettableAlert {
  labels: LabelSet;
  annotations: LabelSet;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  fingerprint: string;
  receivers: { name: string }[];
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[]; mutedBy?: string[] };
  generatorURL?: string;
}

export interface AlertGroup {
  labels: LabelSet;
  receiver: { name: string };
  alerts: GettableAlert[];
}

export interface Silence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
  updatedAt: string;
  matchers: ApiMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export interface PostableSilence {
  id?: string;
  matchers: ApiMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export interface RuleAlert {
  labels: LabelSet;
  annotations: LabelSet;
  state: 'pending' | 'firing' | 'inactive';
  activeAt?: string;
  keepFiringSince?: string;
  value: string;
}

interface RuleCommon {
  name: string;
  query: string;
  labels?: LabelSet;
  health: 'ok' | 'err' | 'unknown';
  lastError?: string;
  evaluationTime: number;
  lastEvaluation: string;
}

export type Rule =
  | (RuleCommon & { type: 'alerting'; state: 'pending' | 'firing' | 'inactive'; duration: number; keepFiringFor?: number; annotations: LabelSet; alerts: RuleAlert[] })
  | (RuleCommon & { type: 'recording' });

export interface RuleGroup {
  name: string;
  file: string;
  interval: number;
  limit?: number;
  rules: Rule[];
  evaluationTime: number;
  lastEvaluation: string;
}

export type HistoryEntry =
  | { kind: 'alert'; time: string; fingerprint: string; labels: LabelSet; event: string; by?: string[] }
  | {
      kind: 'notification';
      time: string;
      receiver: string;
      integration: string;
      groupKey: string;
      fingerprints: string[];
      attempt: number;
      durationMs: number;
      ok: boolean;
      error?: string;
      retryable?: boolean;
    };

/**
 * Alertmanager answers errors with a JSON string or plain text rather than Prometheus's envelope;
 * this keeps its words in the error shown.
 */
async function alertmanager<T>(url: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { accept: 'application/json', ...init.headers } });
  } catch (error) {
    throw new ApiRequestError(`cannot reach Vigil: ${(error as Error).message}`, 0);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = text;
  }
  if (!response.ok) {
    const message = typeof body === 'string' ? body : ((body as { message?: string; error?: string } | null)?.message ?? (body as { error?: string } | null)?.error);
    throw new ApiRequestError((message ?? '').trim() || `${response.status} ${response.statusText}`, response.status);
  }
  return body as T;
}

export interface AlertFilter {
  matchers?: string[];
  silenced?: boolean;
  inhibited?: boolean;
  active?: boolean;
  receiver?: string;
}

function filterQuery(filter: AlertFilter): string {
  const query = new URLSearchParams();
  for (const matcher of filter.matchers ?? []) query.append('filter', matcher);
  if (filter.silenced !== undefined) query.set('silenced', String(filter.silenced));
  if (filter.inhibited !== undefined) query.set('inhibited', String(filter.inhibited));
  if (filter.active !== undefined) query.set('active', String(filter.active));
  if (filter.receiver !== undefined && filter.receiver !== '') query.set('receiver', filter.receiver);
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}

export function alertGroups(filter: AlertFilter = {}, signal?: AbortSignal): Promise<AlertGroup[]> {
  return alertmanager(`/api/v2/alerts/groups${filterQuery(filter)}`, { signal });
}

export function alerts(filter: AlertFilter = {}, signal?: AbortSignal): Promise<GettableAlert[]> {
  return alertmanager(`/api/v2/alerts${filterQuery(filter)}`, { signal });
}

export function silences(signal?: AbortSignal): Promise<Silence[]> {
  return alertmanager('/api/v2/silences', { signal });
}

export function silence(id: string, signal?: AbortSignal): Promise<Silence> {
  return alertmanager(`/api/v2/silence/${encodeURIComponent(id)}`, { signal });
}

export function saveSilence(body: PostableSilence): Promise<{ silenceID: string }> {
  return alertmanager('/api/v2/silences', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
}

export async function expireSilence(id: string): Promise<void> {
  await alertmanager(`/api/v2/silence/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function history(parameters: { limit: number; kind?: string; matchers?: string[]; receiver?: string }, signal?: AbortSignal): Promise<HistoryEntry[]> {
  const query = new URLSearchParams({ limit: String(parameters.limit) });
  if (parameters.kind) query.set('kind', parameters.kind);
  if (parameters.receiver) query.set('receiver', parameters.receiver);
  for (const matcher of parameters.matchers ?? []) query.append('filter', matcher);
  return alertmanager(`/api/v2/history?${query}`, { signal });
}

export async function ruleGroups(signal?: AbortSignal): Promise<RuleGroup[]> {
  const answer = await fetchJson<{ data: { groups: RuleGroup[] } }>('/api/v1/rules', { signal });
  return answer.data.groups;
}

/** Prometheus's active alerts (pending and firing) from the rule evaluator, before Alertmanager. */
export async function ruleAlerts(signal?: AbortSignal): Promise<RuleAlert[]> {
  const answer = await fetchJson<{ data: { alerts: RuleAlert[] } }>('/api/v1/alerts', { signal });
  return answer.data.alerts;
}
