/**
 * alerting/receivers: the receiver integrations (webhook, email, Slack, PagerDuty, Opsgenie,
 * Microsoft Teams, Discord, Telegram) that deliver one notification each, speaking each service's
 * API as Alertmanager does, and the notification template set with Alertmanager's default names.
 */
export { buildIntegrations, IntegrationConfigError } from './build.ts';
export type { BuildIntegrationsOptions } from './build.ts';
export { loadTemplates, TemplateFileError, FieldRenderer } from './templates.ts';
export type { LoadTemplatesOptions, TemplateSet } from './templates.ts';
export { nodeHttp } from './http.ts';
export type { HttpFunction, HttpRequest, HttpResponse } from './http.ts';
export type { SmtpOptions } from './email.ts';
export type { ReceiverLogger } from './notifier.ts';
export { presentNotification } from './data.ts';
export type { PresentedAlert, PresentedNotification } from './data.ts';
export { defaultTemplateNames } from './default-templates.ts';
