/**
 * msteams_configs (Alertmanager 0.26+): an Office 365 connector MessageCard posted to the incoming
 * webhook, coloured by the group's status.
 */
import type { MsteamsConfig } from '../config/types.ts';
import type { Alert, Notifier, NotifyContext, NotifyResult } from '../types.ts';
import { goJsonEncode } from './go-json.ts';
import { readSettingFile } from './http.ts';
import { defaultRetryPolicy, deliver, guarded, startRendering } from './notifier.ts';
import type { NotifierDependencies } from './notifier.ts';

const themeColors = { firing: '8C1A1A', resolved: '2DC72D' } as const;

export class MsteamsNotifier implements Notifier {
  private readonly config: MsteamsConfig;
  private readonly dependencies: NotifierDependencies;

  constructor(config: MsteamsConfig, dependencies: NotifierDependencies) {
    this.config = config;
    this.dependencies = dependencies;
  }

  async render(context: NotifyContext, alerts: readonly Alert[]): Promise<{ body: string; url: string }> {
    const { notification, renderer } = startRendering(this.dependencies, context, alerts);
    const title = await renderer.text(this.config.title);
    const text = await renderer.text(this.config.text);
    const summary = await renderer.text(this.config.summary);
    const body = goJsonEncode({
      '@context': 'http://schema.org/extensions',
      type: 'MessageCard',
      title,
      summary,
      text,
      themeColor: themeColors[notification.status],
    });
    const url = this.config.webhookUrl ?? (await readSettingFile(this.config.webhookUrlFile ?? '', 'webhook_url_file'));
    return { body, url };
  }

  async notify(context: NotifyContext, alerts: readonly Alert[]): Promise<NotifyResult> {
    return await guarded(async () => {
      const { body, url } = await this.render(context, alerts);
      const delivery = await deliver(this.dependencies.sender, { url, body, signal: context.signal }, defaultRetryPolicy);
      return delivery.ok ? { ok: true } : delivery.result;
    });
  }
}
