/** The alert store (Alertmanager's provider/mem) and the validation of posted alerts. */
export { AlertStore, mergeAlerts } from './alert-store.ts';
export type { AlertListener } from './alert-store.ts';
export { prepareAlerts, validateAlert } from './validate.ts';
export type { PreparedAlerts } from './validate.ts';
