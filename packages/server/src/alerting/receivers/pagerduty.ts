/**
 * pagerduty_configs: Events API v2 (`routing_key`, posted to `url`) or v1 (`service_key`, posted to
 * the generic create_event endpoint). The dedup/incident key is the SHA-256 of the group key, the
 * event is `resolve` when every alert of the group is resolved, and an event over 512 KB loses its
 * details, as in Alertmanager.
 */
import { parse } from 'yaml';
import type { PagerdutyConfig } from '../config/types.ts';
import type { Alert, Notifier, NotifyContext, NotifyResult } from '../types.ts';
import { groupKeyHash, truncateInRunes } from './data.ts';
import { goJsonEncode, sortedRecord } from './go-json.ts';
import { readSettingFile } from './http.ts';
import type { RetryPolicy } from './http.ts';
import { deliver, guarded, requestSignal, startRendering } from './notifier.ts';
import type { NotifierDependencies } from './notifier.ts';
import type { FieldRenderer } from './templates.ts';

export const pagerdutyV1Url = 'https://events.pagerduty.com/generic/2010-04-15/create_event.json';
export const pagerdutyMaxEventBytes = 512000;
const maxV1DescriptionRunes = 1024;
const maxV2SummaryRunes = 1024;
const oversizeMessage = 'Custom details have been removed because the original event exceeds the maximum size of 512KB';

/** PagerDuty explains a 400 in JSON: `message: error,error`. */
function pagerdutyErrorDetails(status: number, body: string): string {
  if (status !== 400 || body === '') return '';
  try {
    const answer = JSON.parse(body) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(answer.errors) ? answer.errors.map(String).join(',') : '';
    return `${typeof answer.message === 'string' ? answer.message : ''}: ${errors}`;
  } catch {
    return '';
  }
}

/** yaml.v2's reading of a rendered detail: structured data when it is YAML for something other than a string. */
function structuredDetail(rendered: string): unknown {
  let parsed: unknown;
  try {
    // yaml.v2 leaves timestamps as text when decoding into interface{}.
    parsed = parse(rendered, { schema: 'yaml-1.1', uniqueKeys: false, customTags: (tags) => tags.filter((tag) => typeof tag === 'string' || tag.tag !== 'tag:yaml.org,2002:timestamp') });
  } catch {
    return rendered;
  }
  if (typeof parsed === 'string') return rendered;
  return normalized(parsed);
}

/** JSON-ready: maps sorted by key, as Go writes them. */
function normalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalized);
  if (value !== null && typeof value === 'object') return sortedRecord(Object.fromEntries(Object.entries(value).map(([key, element]) => [key, normalized(element)])));
  return value ?? null;
}

/**
 * Renders `details` as Alertmanager ≥ 0.28 does (DeepCopyWithTemplate): a string is a template whose
 * result, when it reads as YAML for a number, list or map (`{{ .Alerts.Firing | toJson }}`), is sent
 * as that structure; lists and maps are rendered element by element.
 */
async function renderDetail(value: unknown, renderer: FieldRenderer): Promise<unknown> {
  if (typeof value === 'string') return structuredDetail(await renderer.text(value));
  if (Array.isArray(value)) {
    const rendered: unknown[] = [];
    for (const element of value) rendered.push(await renderDetail(element, renderer));
    return rendered;
  }
  if (value !== null && typeof value === 'object') {
    const rendered: Record<string, unknown> = {};
    for (const [key, element] of Object.entries(value)) rendered[await renderer.text(key)] = await renderDetail(element, renderer);
    return sortedRecord(rendered);
  }
  return value;
}

export class PagerdutyNotifier implements Notifier {
  private readonly config: PagerdutyConfig;
  private readonly dependencies: NotifierDependencies;
  readonly version: 'v1' | 'v2';

  constructor(config: PagerdutyConfig, dependencies: NotifierDependencies) {
    this.config = config;
    this.dependencies = dependencies;
    this.version = config.serviceKey !== undefined || config.serviceKeyFile !== undefined ? 'v1' : 'v2';
  }

  /** The event body and its URL. */
  async render(context: NotifyContext, alerts: readonly Alert[]): Promise<{ body: string; url: string }> {
    const config = this.config;
    const { notification, renderer } = startRendering(this.dependencies, context, alerts);
    const text = (field: string): Promise<string> => renderer.text(field);
    const action = notification.status === 'resolved' ? 'resolve' : 'trigger';
    const details: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config.details)) details[key] = await renderDetail(value, renderer);
    const renderedDetails = sortedRecord(details);
    const hasDetails = Object.keys(renderedDetails).length > 0;
    const key = groupKeyHash(context.groupKey);

    if (this.version === 'v1') {
      const description = truncateInRunes(await text(config.description), maxV1DescriptionRunes);
      if (description.truncated) this.dependencies.logger.warn('Truncated description', { key: context.groupKey, max_runes: maxV1DescriptionRunes });
      const serviceKey = await text(config.serviceKey ?? (await readSettingFile(config.serviceKeyFile ?? '', 'service_key_file')));
      if (serviceKey === '') throw new Error('service key cannot be empty');
      const clientText = action === 'trigger' ? await text(config.client) : '';
      const clientUrlText = action === 'trigger' ? await text(config.clientUrl) : '';
      const message = (detailsValue: Record<string, unknown>): Record<string, unknown> => ({
        service_key: serviceKey,
        incident_key: key,
        event_type: action,
        ...(description.text === '' ? {} : { description: description.text }),
        event_action: '',
        payload: null,
        ...(action === 'trigger' ? omitEmptyStrings({ client: clientText, client_url: clientUrlText }) : {}),
        ...(Object.keys(detailsValue).length > 0 ? { details: detailsValue } : {}),
      });
      return { body: this.limitSize(message(renderedDetails), () => message({ error: oversizeMessage })), url: pagerdutyV1Url };
    }

    const summary = truncateInRunes(await text(config.description), maxV2SummaryRunes);
    if (summary.truncated) this.dependencies.logger.warn('Truncated summary', { key: context.groupKey, max_runes: maxV2SummaryRunes });
    const routingKey = await text(config.routingKey ?? (await readSettingFile(config.routingKeyFile ?? '', 'routing_key_file')));
    const client = await text(config.client);
    const clientUrl = await text(config.clientUrl);
    const images: Record<string, string>[] = [];
    for (const image of config.images) {
      const rendered = { src: await text(image.src), alt: await text(image.alt), href: await text(image.href) };
      if (rendered.src !== '') images.push(rendered);
    }
    const links: Record<string, string>[] = [];
    for (const link of config.links) {
      const rendered = { href: await text(link.href), text: await text(link.text) };
      if (rendered.href !== '') links.push(rendered);
    }
    const payloadStart = {
      summary: summary.text,
      source: await text(config.source),
      severity: await text(config.severity === '' ? 'error' : config.severity),
    };
    const payloadOptional = omitEmptyStrings({ class: await text(config.class), component: await text(config.component), group: await text(config.group) });
    if (routingKey === '') throw new Error('routing key cannot be empty');
    const message = (customDetails: Record<string, unknown>, withDetails: boolean): Record<string, unknown> => ({
      routing_key: routingKey,
      dedup_key: key,
      event_action: action,
      payload: { ...payloadStart, ...payloadOptional, ...(withDetails ? { custom_details: customDetails } : {}) },
      ...omitEmptyStrings({ client, client_url: clientUrl }),
      ...(images.length > 0 ? { images } : {}),
      ...(links.length > 0 ? { links } : {}),
    });
    return { body: this.limitSize(message(renderedDetails, hasDetails), () => message({ error: oversizeMessage }, true)), url: config.url };
  }

  private limitSize(message: Record<string, unknown>, withoutDetails: () => Record<string, unknown>): string {
    const body = goJsonEncode(message);
    const size = Buffer.byteLength(body, 'utf8');
    if (size <= pagerdutyMaxEventBytes) return body;
    this.dependencies.logger.warn(`Truncated Details because message of size ${size} bytes exceeds limit 512KB`);
    return goJsonEncode(withoutDetails());
  }

  async notify(context: NotifyContext, alerts: readonly Alert[]): Promise<NotifyResult> {
    return await guarded(async () => {
      const { body, url } = await this.render(context, alerts);
      // v1 retries 403 (its rate limiting), v2 retries 429.
      const policy: RetryPolicy = { retryCodes: this.version === 'v1' ? [403, 429] : [429], details: pagerdutyErrorDetails };
      const prefix = this.version === 'v1' ? 'failed to post message to PagerDuty v1: ' : 'failed to post message to PagerDuty: ';
      const delivery = await deliver(this.dependencies.sender, { url, body, signal: requestSignal(context, this.config.timeoutMs) }, policy, { network: prefix });
      return delivery.ok ? { ok: true } : delivery.result;
    });
  }
}

function omitEmptyStrings(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== ''));
}
