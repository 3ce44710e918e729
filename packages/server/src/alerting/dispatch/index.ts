/** The dispatcher: aggregation groups per route and group labels, flushed on Alertmanager's timers. */
export { Dispatcher, groupKey, groupLabels } from './dispatcher.ts';
export type { AlertGroupView, DispatchLog, DispatcherCounters, DispatcherOptions, GroupFlushRecord } from './dispatcher.ts';
export { compareAlerts, formatLabelSet, labelSetBefore } from './labels.ts';
