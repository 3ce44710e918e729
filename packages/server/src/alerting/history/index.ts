/** The history of alert transitions and delivery attempts (Vigil's addition to Alertmanager). */
export { AlertHistory } from './history.ts';
export type { AlertHistoryOptions, HistoryCounters } from './history.ts';
export { parseRecord, recordMatches } from './records.ts';
export type { AlertEvent, AlertRecord, HistoryFilter, HistoryRecord, NotificationRecord } from './records.ts';
