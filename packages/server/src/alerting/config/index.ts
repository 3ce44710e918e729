/** alertmanager.yml: loading, validation (amtool check-config), and the resolved config types. */
export { DEFAULT_PAGERDUTY_DETAILS } from './build.ts';
export { checkAlertmanagerCommand, checkTemplateFiles } from './check.ts';
export { formatWarning, loadAlertmanagerConfig, parseAlertmanagerConfig } from './load.ts';
export type {
  AlertmanagerConfig,
  AlertmanagerGlobalConfig,
  ConfigWarning,
  DiscordConfig,
  EmailConfig,
  EmailThreadingConfig,
  HttpClientConfig,
  InhibitRuleConfig,
  IntegrationConfigBase,
  LoadedAlertmanagerConfig,
  MsteamsConfig,
  OpsgenieConfig,
  OpsgenieResponder,
  PagerdutyConfig,
  PagerdutyImage,
  PagerdutyLink,
  ReceiverConfig,
  RouteConfig,
  SlackAction,
  SlackConfig,
  SlackConfirmationField,
  SlackField,
  TelegramConfig,
  TlsConfig,
  WebhookConfig,
} from './types.ts';
