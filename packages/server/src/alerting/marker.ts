/** An alert's state as the API shows it (Alertmanager's types.AlertState). */
export type AlertState = 'unprocessed' | 'active' | 'suppressed';

/** An alert's status (Alertmanager's types.AlertStatus): muted by which silences and which alerts. */
export interface AlertStatus {
  state: AlertState;
  silencedBy: readonly string[];
  inhibitedBy: readonly string[];
}

/** Told when an alert's status changes (the history records silenced / inhibited / unmuted). */
export type StatusListener = (alertFingerprint: string, previous: AlertStatus, next: AlertStatus) => void;

const UNPROCESSED: AlertStatus = { state: 'unprocessed', silencedBy: [], inhibitedBy: [] };

/**
 * Per alert fingerprint, whether it is muted and by what (Alertmanager's types.Marker). The muting
 * stage and the API's alert listing keep it current; an alert no stage has looked at yet is
 * `unprocessed`. Aggregation groups muted by time intervals are kept apart, per route and group key.
 */
export class Marker {
  private readonly statuses = new Map<string, AlertStatus>();
  private readonly mutedGroups = new Map<string, readonly string[]>();

  constructor(private readonly onChange?: StatusListener) {}

  status(alertFingerprint: string): AlertStatus {
    return this.statuses.get(alertFingerprint) ?? UNPROCESSED;
  }

  /** Records the silences muting the alert (none: not silenced). */
  setSilenced(alertFingerprint: string, silenceIds: readonly string[]): void {
    const previous = this.status(alertFingerprint);
    this.update(alertFingerprint, previous, { ...previous, silencedBy: [...silenceIds] });
  }

  /** Records the fingerprints of the alerts inhibiting the alert (none: not inhibited). */
  setInhibited(alertFingerprint: string, inhibitingFingerprints: readonly string[]): void {
    const previous = this.status(alertFingerprint);
    this.update(alertFingerprint, previous, { ...previous, inhibitedBy: [...inhibitingFingerprints] });
  }

  private update(alertFingerprint: string, previous: AlertStatus, next: Omit<AlertStatus, 'state'> & { state: AlertState }): void {
    next.state = next.silencedBy.length > 0 || next.inhibitedBy.length > 0 ? 'suppressed' : 'active';
    this.statuses.set(alertFingerprint, next);
    if (this.onChange !== undefined && !sameStatus(previous, next)) this.onChange(alertFingerprint, previous, next);
  }

  /** Forgets an alert (it was removed from the store). */
  delete(alertFingerprint: string): void {
    this.statuses.delete(alertFingerprint);
  }

  /** Alerts counted by state, among `fingerprints` (Alertmanager counts the alerts it holds). */
  count(state: AlertState, fingerprints: Iterable<string>): number {
    let total = 0;
    for (const key of fingerprints) if (this.status(key).state === state) total++;
    return total;
  }

  /** Records the time intervals muting an aggregation group now (none: not muted). */
  setGroupMuted(routeId: string, groupKey: string, intervalNames: readonly string[]): void {
    const key = `${routeId}\u0000${groupKey}`;
    if (intervalNames.length === 0) this.mutedGroups.delete(key);
    else this.mutedGroups.set(key, [...intervalNames]);
  }

  /** The time intervals muting an aggregation group, empty when it is not muted. */
  groupMutedBy(routeId: string, groupKey: string): readonly string[] {
    return this.mutedGroups.get(`${routeId}\u0000${groupKey}`) ?? [];
  }

  /** Forgets a removed aggregation group. */
  deleteGroup(routeId: string, groupKey: string): void {
    this.mutedGroups.delete(`${routeId}\u0000${groupKey}`);
  }
}

function sameStatus(a: AlertStatus, b: AlertStatus): boolean {
  return a.state === b.state && sameIds(a.silencedBy, b.silencedBy) && sameIds(a.inhibitedBy, b.inhibitedBy);
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, index) => id === b[index]);
}
