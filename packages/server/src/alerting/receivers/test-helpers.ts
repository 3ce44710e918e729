/**
 * Shared by the receivers' tests: a receiver built from alertmanager.yml text (so tests exercise the
 * real defaults), a capturing HTTP function with scripted answers, alerts and a notify context.
 */
import { parseAlertmanagerConfig } from '../config/index.ts';
import type { ReceiverConfig } from '../config/index.ts';
import type { Alert, Integration, NotifyContext } from '../types.ts';
import { buildIntegrations } from './build.ts';
import type { BuildIntegrationsOptions } from './build.ts';
import type { HttpFunction, HttpRequest, HttpResponse } from './http.ts';
import { loadTemplates } from './templates.ts';
import type { TemplateSet } from './templates.ts';

export const testNow = Date.parse('2026-01-15T12:00:00Z');
export const testStartsAt = Date.parse('2026-01-15T11:00:00Z');

/** The receiver named `name` from a config whose `receivers:` list is `receiversYaml`. */
export function receiverFromYaml(receiversYaml: string, globalYaml = ''): ReceiverConfig {
  const text = `${globalYaml === '' ? '' : `global:\n${globalYaml}\n`}route:\n  receiver: test\nreceivers:\n${receiversYaml}`;
  const loaded = parseAlertmanagerConfig(text, 'alertmanager.yml');
  const receiver = loaded.config.receivers.find((candidate) => candidate.name === 'test');
  if (receiver === undefined) throw new Error('the test config needs a receiver named "test"');
  return receiver;
}

export interface Capture {
  requests: HttpRequest[];
  http: HttpFunction;
}

/** Records requests and answers each with `respond` (default: 200 "ok"). */
export function capture(respond: (request: HttpRequest) => HttpResponse | Promise<HttpResponse> = () => ({ status: 200, headers: {}, body: 'ok' })): Capture {
  const requests: HttpRequest[] = [];
  return {
    requests,
    http: async (request) => {
      requests.push(request);
      return await respond(request);
    },
  };
}

let sharedTemplates: Promise<TemplateSet> | undefined;

/** The default template set, loaded once for all tests. */
export function defaultTemplates(): Promise<TemplateSet> {
  sharedTemplates ??= loadTemplates([]);
  return sharedTemplates;
}

export async function integrationsFor(receiver: ReceiverConfig, options: Partial<BuildIntegrationsOptions> = {}): Promise<Integration[]> {
  return buildIntegrations(receiver, { templates: await defaultTemplates(), userAgent: 'Vigil/test', ...options });
}

export function testAlert(labels: Record<string, string>, options: { annotations?: Record<string, string>; startsAt?: number; endsAt?: number; generatorURL?: string } = {}): Alert {
  const startsAt = options.startsAt ?? testStartsAt;
  return {
    labels: { alertname: 'HighErrorRate', ...labels },
    annotations: options.annotations ?? { summary: 'High error rate' },
    startsAt,
    endsAt: options.endsAt ?? 0,
    generatorURL: options.generatorURL ?? 'http://prometheus.example/graph',
    updatedAt: startsAt,
    timeout: false,
  };
}

/** A resolved copy of `alert`, ended a minute before the test's now. */
export function resolvedAlert(alert: Alert): Alert {
  return { ...alert, endsAt: testNow - 60_000 };
}

export function testContext(overrides: Partial<NotifyContext> = {}): NotifyContext {
  return {
    receiver: 'test',
    groupKey: '{}:{alertname="HighErrorRate"}',
    groupLabels: { alertname: 'HighErrorRate' },
    externalURL: 'http://vigil.example:9093',
    now: testNow,
    signal: AbortSignal.timeout(10_000),
    ...overrides,
  };
}
