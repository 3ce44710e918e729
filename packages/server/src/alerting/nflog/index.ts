/** The notification log: what each receiver integration was last told about each aggregation group. */
export { NotificationLog, isFiringSubset, isResolvedSubset } from './notification-log.ts';
export type { NotificationLogCounters, NotificationLogEntry, ReceiverKey } from './notification-log.ts';
