/**
 * The alerting area's public face for the rest of Vigil: the in-process Alertmanager and the
 * vocabulary it speaks. Config, routes, receivers, silences and inhibition have their own faces.
 */
export { Alertmanager } from './alertmanager.ts';
export type { AlertGroupApiView, AlertStatusView, AlertView, AlertmanagerLog, AlertmanagerOptions } from './alertmanager.ts';
export { FakeScheduler, systemScheduler } from './scheduler.ts';
export type { Scheduler, TimerHandle } from './scheduler.ts';
export type { AlertState, AlertStatus } from './marker.ts';
export type { AlertEvent, AlertRecord, HistoryFilter, HistoryRecord, NotificationRecord } from './history/index.ts';
export { fingerprint, isResolved } from './types.ts';
export type { Alert, Integration, IntegrationKind, LabelSet, MatchedRoute, Notifier, NotifyContext, NotifyResult, PostableAlert, RouteOptions } from './types.ts';
