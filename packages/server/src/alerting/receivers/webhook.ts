/**
 * webhook_configs: Alertmanager's JSON payload, version "4" — template.Data plus `version`,
 * `groupKey` and `truncatedAlerts` — posted to `url` (a template since Alertmanager 0.28) or the URL
 * read from `url_file`.
 */
import type { WebhookConfig } from '../config/types.ts';
import type { Alert, Notifier, NotifyContext, NotifyResult } from '../types.ts';
import type { PresentedNotification } from './data.ts';
import { goJsonEncode, goTimeJson, sortedRecord } from './go-json.ts';
import { readSettingFile } from './http.ts';
import { defaultRetryPolicy, deliver, guarded, requestSignal, startRendering } from './notifier.ts';
import type { NotifierDependencies } from './notifier.ts';

/** The body Alertmanager posts, fields in its order. */
export function webhookPayload(notification: PresentedNotification, groupKey: string, truncatedAlerts: number): string {
  return goJsonEncode({
    receiver: notification.receiver,
    status: notification.status,
    alerts: notification.alerts.map((alert) => ({
      status: alert.status,
      labels: sortedRecord(alert.labels),
      annotations: sortedRecord(alert.annotations),
      startsAt: goTimeJson(alert.startsAt),
      endsAt: goTimeJson(alert.endsAt),
      generatorURL: alert.generatorURL,
      fingerprint: alert.fingerprint,
    })),
    groupLabels: sortedRecord(notification.groupLabels),
    commonLabels: sortedRecord(notification.commonLabels),
    commonAnnotations: sortedRecord(notification.commonAnnotations),
    externalURL: notification.externalURL,
    version: '4',
    groupKey,
    truncatedAlerts,
  });
}

export class WebhookNotifier implements Notifier {
  private readonly config: WebhookConfig;
  private readonly dependencies: NotifierDependencies;

  constructor(config: WebhookConfig, dependencies: NotifierDependencies) {
    this.config = config;
    this.dependencies = dependencies;
  }

  async notify(context: NotifyContext, alerts: readonly Alert[]): Promise<NotifyResult> {
    return await guarded(async () => {
      // max_alerts keeps the first alerts; the payload (status, common labels) describes only those.
      const maxAlerts = this.config.maxAlerts;
      const kept = maxAlerts > 0 && alerts.length > maxAlerts ? alerts.slice(0, maxAlerts) : alerts;
      const { notification, renderer } = startRendering(this.dependencies, context, kept);
      const body = webhookPayload(notification, context.groupKey, alerts.length - kept.length);
      const written = this.config.url ?? (await readSettingFile(this.config.urlFile ?? '', 'url_file'));
      let url: string;
      try {
        url = await renderer.text(written);
      } catch (error) {
        throw new Error(`failed to template webhook URL: ${(error as Error).message}`, { cause: error });
      }
      if (url === '') throw new Error('webhook URL is empty after templating');
      const delivery = await deliver(this.dependencies.sender, { url, body, signal: requestSignal(context, this.config.timeoutMs) }, defaultRetryPolicy);
      return delivery.ok ? { ok: true } : delivery.result;
    });
  }
}
