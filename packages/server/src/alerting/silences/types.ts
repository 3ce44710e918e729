/**
 * Silences as Alertmanager keeps them (silence/silencepb): matchers, a time window, who and why.
 * Times are milliseconds since the epoch.
 */
import type { LabelSet } from '../types.ts';

export type SilenceMatcherType = '=' | '!=' | '=~' | '!~';

/** One matcher of a silence, in the API's shape (`isRegex`/`isEqual` map to the four operators). */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  /** false for `!=` and `!~`. */
  isEqual: boolean;
}

export type SilenceState = 'pending' | 'active' | 'expired';

/** A silence as stored. */
export interface Silence {
  id: string;
  matchers: readonly SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  updatedAt: number;
  createdBy: string;
  comment: string;
  /** Alertmanager (after 0.28) carries free-form annotations on silences; empty when none were given. */
  annotations: LabelSet;
}

/** What a client posts to create (no `id`) or update (`id` of an existing silence) a silence. */
export interface PostableSilence {
  id?: string;
  matchers: readonly SilenceMatcher[];
  /** 0: now. */
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  annotations?: LabelSet;
}

/** A filter for `Silences.query`: all given conditions must hold. */
export interface SilenceQuery {
  ids?: readonly string[];
  states?: readonly SilenceState[];
  /** Only silences whose matchers match this label set. */
  matches?: LabelSet;
}
