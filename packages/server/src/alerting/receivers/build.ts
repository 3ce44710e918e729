/**
 * Turns a receiver's resolved configuration into its integrations, in Alertmanager's order (email,
 * PagerDuty, Opsgenie, webhook, Slack, Telegram, Discord, Teams — the order of its buildReceiverIntegrations;
 * positions count per kind). Fails, naming the integration, on configuration Vigil cannot honour
 * (see unsupportedHttpConfig), so a receiver never sends without what it was configured with.
 */
import type { ReceiverConfig } from '../config/types.ts';
import type { Integration, IntegrationKind, Notifier } from '../types.ts';
import { DiscordNotifier } from './discord.ts';
import { EmailNotifier } from './email.ts';
import type { SmtpOptions } from './email.ts';
import { nodeHttp, oauth2TokenSource, unsupportedHttpConfig } from './http.ts';
import type { HttpFunction } from './http.ts';
import { MsteamsNotifier } from './msteams.ts';
import { silentLogger } from './notifier.ts';
import type { NotifierDependencies, ReceiverLogger } from './notifier.ts';
import { OpsgenieNotifier } from './opsgenie.ts';
import { PagerdutyNotifier } from './pagerduty.ts';
import { SlackNotifier } from './slack.ts';
import { TelegramNotifier } from './telegram.ts';
import type { TemplateSet } from './templates.ts';
import { WebhookNotifier } from './webhook.ts';

export interface BuildIntegrationsOptions {
  templates: TemplateSet;
  /** The external URL for templates when the notification context has none. */
  externalURL?: string;
  /** Sends HTTP requests; default node:http/https. */
  http?: HttpFunction;
  smtp?: SmtpOptions;
  logger?: ReceiverLogger;
  /** Default `Vigil`. */
  userAgent?: string;
}

/** A receiver integration that cannot be built. */
export class IntegrationConfigError extends Error {
  constructor(receiver: string, kind: IntegrationKind, index: number, reason: string) {
    super(`receiver ${JSON.stringify(receiver)}: ${kind}_configs[${index}]: ${reason}`);
    this.name = 'IntegrationConfigError';
  }
}

export function buildIntegrations(receiver: ReceiverConfig, options: BuildIntegrationsOptions): Integration[] {
  const integrations: Integration[] = [];
  const http = options.http ?? nodeHttp;
  const userAgent = options.userAgent ?? 'Vigil';
  const dependenciesFor = (kind: IntegrationKind, index: number, httpConfig: Parameters<typeof unsupportedHttpConfig>[0] | undefined): NotifierDependencies => {
    if (httpConfig !== undefined) {
      const unsupported = unsupportedHttpConfig(httpConfig);
      if (unsupported !== undefined) throw new IntegrationConfigError(receiver.name, kind, index, unsupported);
    }
    return {
      templates: options.templates,
      logger: options.logger ?? silentLogger,
      externalURL: options.externalURL ?? '',
      sender: {
        http,
        // Email has no http_config; its sender is never used.
        config: httpConfig ?? { tlsConfig: { insecureSkipVerify: false }, followRedirects: true, enableHttp2: true, proxy: { proxyFromEnvironment: false, proxyConnectHeader: {} } },
        userAgent,
        oauth2: httpConfig === undefined ? undefined : oauth2TokenSource(httpConfig, http, userAgent),
      },
    };
  };
  const add = <Config extends { sendResolved: boolean; httpConfig?: Parameters<typeof unsupportedHttpConfig>[0] }>(
    kind: IntegrationKind,
    configs: readonly Config[],
    create: (config: Config, dependencies: NotifierDependencies) => Notifier,
  ): void => {
    configs.forEach((config, index) => {
      integrations.push({ kind, index, sendResolved: config.sendResolved, notifier: create(config, dependenciesFor(kind, index, config.httpConfig)) });
    });
  };
  add('email', receiver.emailConfigs, (config, dependencies) => new EmailNotifier(config, dependencies, options.smtp));
  add('pagerduty', receiver.pagerdutyConfigs, (config, dependencies) => new PagerdutyNotifier(config, dependencies));
  add('opsgenie', receiver.opsgenieConfigs, (config, dependencies) => new OpsgenieNotifier(config, dependencies));
  add('webhook', receiver.webhookConfigs, (config, dependencies) => new WebhookNotifier(config, dependencies));
  add('slack', receiver.slackConfigs, (config, dependencies) => new SlackNotifier(config, dependencies));
  add('telegram', receiver.telegramConfigs, (config, dependencies) => new TelegramNotifier(config, dependencies));
  add('discord', receiver.discordConfigs, (config, dependencies) => new DiscordNotifier(config, dependencies));
  add('msteams', receiver.msteamsConfigs, (config, dependencies) => new MsteamsNotifier(config, dependencies));
  return integrations;
}
