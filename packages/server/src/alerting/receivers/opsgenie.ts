/**
 * opsgenie_configs: Alert API v2. A firing group creates (or, with `update_alerts`, also updates the
 * message and description of) the alert whose alias is the group key's hash; a resolved group closes
 * it. Authorization is `GenieKey <api_key>`.
 */
import type { OpsgenieConfig } from '../config/types.ts';
import type { Alert, Notifier, NotifyContext, NotifyResult } from '../types.ts';
import { groupKeyHash, truncateInRunes } from './data.ts';
import { goJsonEncode, sortedRecord } from './go-json.ts';
import { readSettingFile } from './http.ts';
import { defaultRetryPolicy, deliver, guarded, startRendering } from './notifier.ts';
import type { NotifierDependencies } from './notifier.ts';

/** Opsgenie's limit on the alert message, in runes. */
export const opsgenieMaxMessageRunes = 130;

export interface OpsgenieRequest {
  method: 'POST' | 'PUT';
  url: string;
  body: string;
}

/** Splits on `separator` after trimming, dropping empty pieces. */
function safeSplit(text: string, separator: string): string[] {
  return text.trim().split(separator).filter((piece) => piece !== '');
}

function omitEmpty(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== '' && !(Array.isArray(value) && value.length === 0)));
}

export class OpsgenieNotifier implements Notifier {
  private readonly config: OpsgenieConfig;
  private readonly dependencies: NotifierDependencies;

  constructor(config: OpsgenieConfig, dependencies: NotifierDependencies) {
    this.config = config;
    this.dependencies = dependencies;
  }

  /** The requests of one notification, in order, and the API key to send them with. */
  async render(context: NotifyContext, alerts: readonly Alert[]): Promise<{ requests: OpsgenieRequest[]; apiKey: string }> {
    const config = this.config;
    const { notification, renderer } = startRendering(this.dependencies, context, alerts);
    const text = (field: string): Promise<string> => renderer.text(field);
    const alias = groupKeyHash(context.groupKey);
    const base = config.apiUrl;
    const requests: OpsgenieRequest[] = [];
    if (notification.status === 'resolved') {
      requests.push({ method: 'POST', url: `${base}v2/alerts/${alias}/close?identifierType=alias`, body: goJsonEncode({ source: await text(config.source) }) });
    } else {
      const details: Record<string, string> = { ...notification.commonLabels };
      for (const [key, value] of Object.entries(config.details)) details[key] = await text(value);
      const message = truncateInRunes(await text(config.message), opsgenieMaxMessageRunes);
      if (message.truncated) this.dependencies.logger.warn('Truncated message', { alert: context.groupKey, max_runes: opsgenieMaxMessageRunes });
      const responders: Record<string, string>[] = [];
      for (const responder of config.responders) {
        const rendered = { id: await text(responder.id), name: await text(responder.name), username: await text(responder.username), type: await text(responder.type) };
        // Responders that render empty are dropped, so they can be filled from labels.
        if (rendered.id === '' && rendered.name === '' && rendered.username === '' && rendered.type === '') continue;
        if (rendered.type === 'teams') {
          for (const team of safeSplit(rendered.name, ',')) responders.push({ name: await text(team), type: 'team' });
          continue;
        }
        responders.push({ ...omitEmpty({ id: rendered.id, name: rendered.name, username: rendered.username }), type: rendered.type } as Record<string, string>);
      }
      const description = await text(config.description);
      const create = {
        alias,
        message: message.text,
        ...omitEmpty({ description }),
        details: sortedRecord(details),
        source: await text(config.source),
        ...omitEmpty({
          responders,
          tags: safeSplit(await text(config.tags), ','),
          note: await text(config.note),
          priority: await text(config.priority),
          entity: await text(config.entity),
          actions: safeSplit(await text(config.actions), ','),
        }),
      };
      requests.push({ method: 'POST', url: `${base}v2/alerts`, body: goJsonEncode(create) });
      if (config.updateAlerts) {
        requests.push({ method: 'PUT', url: `${base}v2/alerts/${alias}/message?identifierType=alias`, body: goJsonEncode(omitEmpty({ message: message.text })) });
        requests.push({ method: 'PUT', url: `${base}v2/alerts/${alias}/description?identifierType=alias`, body: goJsonEncode(omitEmpty({ description })) });
      }
    }
    const apiKey = config.apiKey !== undefined ? await text(config.apiKey) : (await text(await readSettingFile(config.apiKeyFile ?? '', 'key_file'))).trim();
    return { requests, apiKey };
  }

  async notify(context: NotifyContext, alerts: readonly Alert[]): Promise<NotifyResult> {
    return await guarded(async () => {
      const { requests, apiKey } = await this.render(context, alerts);
      for (const request of requests) {
        const delivery = await deliver(this.dependencies.sender, { ...request, headers: { Authorization: `GenieKey ${apiKey}` }, signal: context.signal }, defaultRetryPolicy);
        if (!delivery.ok) return delivery.result;
      }
      return { ok: true };
    });
  }
}
