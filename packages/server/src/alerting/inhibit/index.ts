/** Inhibition: alerts muted by other alerts according to `inhibit_rules`. */
export { Inhibitor } from './inhibitor.ts';
export type { InhibitMatcher, InhibitRule, InhibitorAlertSource, InhibitorOptions } from './inhibitor.ts';
