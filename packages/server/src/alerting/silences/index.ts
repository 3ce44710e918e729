/** Silences: Alertmanager's silence store (create, update, expire, query, mute, persist). */
export { DEFAULT_MAINTENANCE_INTERVAL, DEFAULT_SILENCE_RETENTION, SilenceError, Silences, silenceMatcherToMatcher, silenceState, validateSilence } from './silences.ts';
export type { SilencesOptions } from './silences.ts';
export type { PostableSilence, Silence, SilenceMatcher, SilenceMatcherType, SilenceQuery, SilenceState } from './types.ts';
