/**
 * The silence store, with Alertmanager's semantics (silence/silence.go): validation, updates that
 * keep history (a change to an active silence's matchers or start expires it and creates a new one),
 * expiry, retention of expired silences, a per-fingerprint cache for `mutes`, and a snapshot file.
 */
import { randomUUID } from 'node:crypto';
import { RE2JS } from 're2js';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { systemClock } from '../../model/index.ts';
import { Matcher } from '../matchers/index.ts';
import type { Clock } from '../../model/index.ts';
import { SNAPSHOT_FORMAT, writeSnapshot } from '../persistence.ts';
import { fingerprint } from '../types.ts';
import type { LabelSet } from '../types.ts';
import type { PostableSilence, Silence, SilenceMatcher, SilenceQuery, SilenceState } from './types.ts';

/** Alertmanager's `--data.retention` default: expired silences are kept 120h, then collected. */
export const DEFAULT_SILENCE_RETENTION = 120 * 3600_000;
/** Alertmanager's `--silences.maintenance-interval` default... it snapshots every 15 minutes. */
export const DEFAULT_MAINTENANCE_INTERVAL = 15 * 60_000;

/** Why a silence operation failed: the API maps `not_found` to 404 and the others to 400. */
export class SilenceError extends Error {
  constructor(
    readonly kind: 'invalid' | 'not_found' | 'limit',
    message: string,
  ) {
    super(message);
  }
}

export interface SilencesOptions {
  clock?: Clock;
  /** How long expired silences are kept (ms); `--alertmanager.data.retention`. */
  retention?: number;
  /** Where the snapshot lives; no persistence when absent. */
  snapshotFile?: string;
  /** How often `start()` collects expired silences and writes the snapshot (ms). */
  maintenanceInterval?: number;
  /** Most silences held, expired ones included (0: unlimited), as `--silences.max-silences`. */
  maxSilences?: number;
  /** Largest silence in bytes of its JSON form (0: unlimited), as `--silences.max-silence-size-bytes`. */
  maxSilenceSizeBytes?: number;
  /**
   * How soon after a change the snapshot is written (ms, default 1 s), so a crash loses at most that
   * much; Alertmanager only writes at its 15-minute maintenance and on shutdown. Negative: never.
   */
  snapshotDelay?: number;
  /** Reports problems that are not the caller's (a corrupt snapshot, a failed write). */
  warn?: (message: string) => void;
  /** Silence ids; random UUIDs as Alertmanager's unless a test pins them. */
  newId?: () => string;
}

interface Entry {
  silence: Silence;
  /** When the silence is collected: its end plus the retention. */
  expiresAt: number;
  /** The store version at which the silence was added (the `mutes` cache looks only at newer ones). */
  addedVersion: number;
  matchers: Matcher[];
}

interface CacheEntry {
  version: number;
  /** Active and pending silences that matched the label set. */
  ids: string[];
}

/** The state of a silence at `now`, as Alertmanager's getState: end is inclusive. */
export function silenceState(silence: Pick<Silence, 'startsAt' | 'endsAt'>, now: number): SilenceState {
  if (now < silence.startsAt) return 'pending';
  if (now > silence.endsAt) return 'expired';
  return 'active';
}

/** A silence matcher as the label matcher it stands for. */
export function silenceMatcherToMatcher(matcher: SilenceMatcher): Matcher {
  const type = matcher.isRegex ? (matcher.isEqual ? '=~' : '!~') : matcher.isEqual ? '=' : '!=';
  return new Matcher(type, matcher.name, matcher.value);
}

/** Whether all matchers of a silence match the label set (absent labels match as the empty string). */
function matchesAll(matchers: readonly Matcher[], labels: LabelSet): boolean {
  for (const matcher of matchers) if (!matcher.matches(labels[matcher.name] ?? '')) return false;
  return true;
}

export class Silences {
  private readonly clock: Clock;
  private readonly retention: number;
  private readonly options: SilencesOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly cache = new Map<string, CacheEntry>();
  private currentVersion = 0;
  private timer: NodeJS.Timeout | null = null;
  private pendingSnapshot: NodeJS.Timeout | null = null;
  /** What went wrong loading the snapshot, or null. */
  readonly loadProblem: string | null = null;

  constructor(options: SilencesOptions = {}) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.retention = options.retention ?? DEFAULT_SILENCE_RETENTION;
    if (options.snapshotFile !== undefined) this.loadProblem = this.load(options.snapshotFile);
  }

  /** Counts silences added since creation; `mutes` caches per fingerprint against it. */
  version(): number {
    return this.currentVersion;
  }

  /**
   * Creates or updates a silence and answers its id. An existing silence is updated in place only when
   * Alertmanager would (same matchers; an active one keeps its start and does not end in the past; a
   * pending one does not start in the past); otherwise a new silence is created and the old one, unless
   * already expired, is expired so its history stays.
   */
  set(postable: PostableSilence): string {
    const now = this.clock.now();
    const silence: Silence = {
      id: postable.id ?? '',
      matchers: postable.matchers.map((matcher) => ({ name: matcher.name, value: matcher.value, isRegex: matcher.isRegex, isEqual: matcher.isEqual })),
      startsAt: postable.startsAt === 0 ? now : postable.startsAt,
      endsAt: postable.endsAt,
      updatedAt: now,
      createdBy: postable.createdBy,
      comment: postable.comment,
      annotations: { ...postable.annotations },
    };
    const matchers = validateSilence(silence);
    const previous = silence.id === '' ? undefined : this.entries.get(silence.id);
    if (silence.id !== '' && previous === undefined) throw new SilenceError('not_found', 'silence not found');

    if (previous !== undefined && canUpdate(previous.silence, silence, now)) {
      this.checkSize(silence);
      this.store(silence, matchers, previous.addedVersion);
      this.changed();
      return silence.id;
    }

    const limit = this.options.maxSilences ?? 0;
    if (limit > 0 && this.entries.size + 1 > limit) {
      throw new SilenceError('limit', `exceeded maximum number of silences: ${this.entries.size} (limit: ${limit})`);
    }
    silence.id = (this.options.newId ?? randomUUID)();
    if (silence.startsAt < now) silence.startsAt = now;
    this.checkSize(silence);
    if (previous !== undefined && silenceState(previous.silence, now) !== 'expired') this.expire(previous.silence.id);
    this.currentVersion++;
    this.store(silence, matchers, this.currentVersion);
    this.changed();
    return silence.id;
  }

  /** Expires a silence now: an active one ends now, a pending one starts and ends now. */
  expire(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) throw new SilenceError('not_found', 'silence not found');
    const now = this.clock.now();
    const state = silenceState(entry.silence, now);
    if (state === 'expired') return;
    const silence = { ...entry.silence, endsAt: now, updatedAt: now };
    if (state === 'pending') silence.startsAt = now;
    this.store(silence, entry.matchers, entry.addedVersion);
    this.changed();
  }

  get(id: string): Silence | undefined {
    return this.entries.get(id)?.silence;
  }

  /** The silences passing every condition of the query, in insertion order. */
  query(query: SilenceQuery = {}): Silence[] {
    const now = this.clock.now();
    const out: Silence[] = [];
    const candidates = query.ids !== undefined ? query.ids.map((id) => this.entries.get(id)).filter((entry) => entry !== undefined) : this.entries.values();
    for (const entry of candidates) {
      if (query.states !== undefined && !query.states.includes(silenceState(entry.silence, now))) continue;
      if (query.matches !== undefined && !matchesAll(entry.matchers, query.matches)) continue;
      out.push(entry.silence);
    }
    return out;
  }

  /** The state of a silence now. */
  state(silence: Pick<Silence, 'startsAt' | 'endsAt'>): SilenceState {
    return silenceState(silence, this.clock.now());
  }

  /**
   * The ids of the active silences muting a label set at `now` (Alertmanager's Silencer.Mutes). Per
   * fingerprint it remembers the version it last looked at and the active or pending silences that
   * matched, so only silences added since are matched again; matchers of a silence never change in place.
   */
  mutes(labels: LabelSet, now: number = this.clock.now()): string[] {
    const key = fingerprint(labels);
    const cached = this.cache.get(key) ?? { version: 0, ids: [] };
    if (cached.version === this.currentVersion && cached.ids.length === 0) return [];
    const candidates = new Map<string, Silence>();
    for (const id of cached.ids) {
      const entry = this.entries.get(id);
      if (entry !== undefined) candidates.set(id, entry.silence);
    }
    if (cached.version !== this.currentVersion) {
      for (const entry of this.entries.values()) {
        if (entry.addedVersion <= cached.version || candidates.has(entry.silence.id)) continue;
        if (matchesAll(entry.matchers, labels)) candidates.set(entry.silence.id, entry.silence);
      }
    }
    const keep: string[] = [];
    const active: string[] = [];
    for (const [id, silence] of candidates) {
      const state = silenceState(silence, now);
      if (state === 'expired') continue;
      keep.push(id);
      if (state === 'active') active.push(id);
    }
    this.cache.set(key, { version: this.currentVersion, ids: keep });
    return active;
  }

  /** Removes silences whose retention has passed; answers how many. */
  collect(): number {
    const now = this.clock.now();
    let removed = 0;
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt <= now) {
        this.entries.delete(id);
        removed++;
      }
    }
    // Cached ids of collected silences are skipped on lookup; dropping the cache keeps it from growing.
    if (removed > 0) this.cache.clear();
    return removed;
  }

  /** Writes the snapshot atomically (temp file, fsync, rename); no-op without a snapshot file. */
  snapshot(): void {
    const file = this.options.snapshotFile;
    if (file === undefined) return;
    writeSnapshot(file, {
      silences: [...this.entries.values()].map((entry) => ({ ...entry.silence, expiresAt: entry.expiresAt })),
    });
  }

  /** Collects and snapshots once; problems are reported, not thrown, as Alertmanager's maintenance. */
  maintenance(): void {
    this.collect();
    try {
      this.snapshot();
    } catch (error) {
      this.options.warn?.(`writing the silences snapshot failed: ${(error as Error).message}`);
    }
  }

  /** Runs maintenance every `maintenanceInterval`. */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.maintenance(), this.options.maintenanceInterval ?? DEFAULT_MAINTENANCE_INTERVAL);
    this.timer.unref();
  }

  /** Stops the periodic maintenance and writes a last snapshot. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    if (this.pendingSnapshot !== null) clearTimeout(this.pendingSnapshot);
    this.timer = null;
    this.pendingSnapshot = null;
    this.maintenance();
  }

  /** Schedules a snapshot soon after a change (one per burst of changes). */
  private changed(): void {
    const delay = this.options.snapshotDelay ?? 1000;
    if (this.options.snapshotFile === undefined || delay < 0 || this.pendingSnapshot !== null) return;
    this.pendingSnapshot = setTimeout(() => {
      this.pendingSnapshot = null;
      try {
        this.snapshot();
      } catch (error) {
        this.options.warn?.(`writing the silences snapshot failed: ${(error as Error).message}`);
      }
    }, delay);
    this.pendingSnapshot.unref();
  }

  private store(silence: Silence, matchers: Matcher[], addedVersion: number): void {
    this.entries.set(silence.id, { silence, matchers, addedVersion, expiresAt: silence.endsAt + this.retention });
  }

  private checkSize(silence: Silence): void {
    const limit = this.options.maxSilenceSizeBytes ?? 0;
    if (limit <= 0) return;
    const size = Buffer.byteLength(JSON.stringify(silence));
    if (size > limit) throw new SilenceError('limit', `silence exceeded maximum size: ${size} bytes (limit: ${limit} bytes)`);
  }

  /** Loads the snapshot; answers a problem instead of throwing, so a bad file never stops Vigil. */
  private load(file: string): string | null {
    if (!existsSync(file)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      return this.reportCorrupt(file, `not valid JSON: ${(error as Error).message}`);
    }
    const list = (parsed as { format?: unknown; silences?: unknown } | null)?.silences;
    if ((parsed as { format?: unknown } | null)?.format !== SNAPSHOT_FORMAT || !Array.isArray(list)) {
      return this.reportCorrupt(file, `not a silences snapshot of format ${SNAPSHOT_FORMAT}`);
    }
    const now = this.clock.now();
    const skipped: string[] = [];
    for (const [index, item] of list.entries()) {
      try {
        const silence = readStoredSilence(item);
        const expiresAt = (item as { expiresAt?: unknown }).expiresAt;
        if (typeof expiresAt !== 'number') throw new Error('expiresAt missing');
        if (expiresAt <= now) continue;
        const matchers = validateSilence(silence);
        this.currentVersion++;
        this.entries.set(silence.id, { silence, matchers, addedVersion: this.currentVersion, expiresAt });
      } catch (error) {
        skipped.push(`entry ${index}: ${(error as Error).message}`);
      }
    }
    if (skipped.length === 0) return null;
    const problem = `silences snapshot ${file}: skipped ${skipped.length} invalid entries (${skipped.slice(0, 3).join('; ')})`;
    this.options.warn?.(problem);
    return problem;
  }

  private reportCorrupt(file: string, reason: string): string {
    // Keep the bad file for inspection; the next snapshot starts afresh.
    let kept = '';
    try {
      renameSync(file, `${file}.corrupt`);
      kept = `; kept as ${file}.corrupt`;
    } catch {
      // Leaving it in place is fine: the next snapshot replaces it.
    }
    const problem = `silences snapshot ${file} is corrupt and was not loaded: ${reason}${kept}`;
    this.options.warn?.(problem);
    return problem;
  }
}

function readStoredSilence(item: unknown): Silence {
  const value = item as Record<string, unknown>;
  const text = (name: string): string => {
    if (typeof value[name] !== 'string') throw new Error(`${name} is not a string`);
    return value[name] as string;
  };
  const number = (name: string): number => {
    if (typeof value[name] !== 'number') throw new Error(`${name} is not a number`);
    return value[name] as number;
  };
  if (!Array.isArray(value.matchers)) throw new Error('matchers missing');
  const matchers = (value.matchers as unknown[]).map((matcher) => {
    const m = matcher as Record<string, unknown>;
    if (typeof m.name !== 'string' || typeof m.value !== 'string' || typeof m.isRegex !== 'boolean' || typeof m.isEqual !== 'boolean') throw new Error('bad matcher');
    return { name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual };
  });
  const annotations: Record<string, string> = {};
  for (const [name, annotation] of Object.entries((value.annotations as Record<string, unknown> | undefined) ?? {})) {
    if (typeof annotation === 'string') annotations[name] = annotation;
  }
  return {
    id: text('id'),
    matchers,
    startsAt: number('startsAt'),
    endsAt: number('endsAt'),
    updatedAt: number('updatedAt'),
    createdBy: text('createdBy'),
    comment: text('comment'),
    annotations,
  };
}

/**
 * Alertmanager's validateSilence, with its messages behind "invalid silence: " (0.25 wrote "silence
 * invalid: "). `createdBy` and `comment` must be present in the API's requests but may be empty, as in
 * Alertmanager. Answers the compiled matchers.
 */
export function validateSilence(silence: Silence): Matcher[] {
  const fail = (message: string): never => {
    throw new SilenceError('invalid', `invalid silence: ${message}`);
  };
  if (silence.matchers.length === 0) fail('at least one matcher required');
  const compiled: Matcher[] = [];
  let allMatchEmpty = true;
  for (const [index, matcher] of silence.matchers.entries()) {
    if (matcher.name === '' || !wellFormed(matcher.name)) fail(`invalid label matcher ${index}: invalid label name ${JSON.stringify(matcher.name)}`);
    if (!wellFormed(matcher.value)) fail(`invalid label matcher ${index}: invalid label value ${JSON.stringify(matcher.value)}`);
    let compiledMatcher: Matcher;
    try {
      compiledMatcher = silenceMatcherToMatcher(matcher);
    } catch (error) {
      // Go's message quotes the pattern as written, not as anchored for matching.
      let reason = (error as Error).message;
      try {
        RE2JS.compile(matcher.value);
      } catch (raw) {
        reason = (raw as Error).message;
      }
      return fail(`invalid label matcher ${index}: invalid regular expression ${JSON.stringify(matcher.value)}: ${reason}`);
    }
    compiled.push(compiledMatcher);
    // Only `=` and `=~` can match the empty string here, as Alertmanager's matchesEmpty counts it.
    if (!(matcher.isEqual && compiledMatcher.matches(''))) allMatchEmpty = false;
  }
  if (allMatchEmpty) fail('at least one matcher must not match the empty string');
  if (!Number.isFinite(silence.startsAt) || silence.startsAt === 0) fail('invalid zero start timestamp');
  if (!Number.isFinite(silence.endsAt) || silence.endsAt === 0) fail('invalid zero end timestamp');
  if (silence.endsAt < silence.startsAt) fail('end time must not be before start time');
  return compiled;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Valid UTF-8 once encoded (Go's utf8.ValidString): no lone surrogates. */
function wellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

function sameMatchers(a: readonly SilenceMatcher[], b: readonly SilenceMatcher[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((matcher, index) => matcher.name === b[index].name && matcher.value === b[index].value && matcher.isRegex === b[index].isRegex && matcher.isEqual === b[index].isEqual);
}

/** Alertmanager's canUpdate: whether `next` may replace `previous` in place at `now`. */
function canUpdate(previous: Silence, next: Silence, now: number): boolean {
  if (!sameMatchers(previous.matchers, next.matchers)) return false;
  switch (silenceState(previous, now)) {
    case 'active':
      // Alertmanager compares the starts at second precision.
      if (Math.floor(previous.startsAt / 1000) !== Math.floor(next.startsAt / 1000)) return false;
      return next.endsAt >= now;
    case 'pending':
      return next.startsAt >= now;
    case 'expired':
      return false;
  }
}
