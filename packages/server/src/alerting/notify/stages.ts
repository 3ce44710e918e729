import { sleep } from '../scheduler.ts';
import type { Scheduler } from '../scheduler.ts';
import type { Marker } from '../marker.ts';
import { isFiringSubset, isResolvedSubset } from '../nflog/index.ts';
import type { NotificationLog, NotificationLogEntry, ReceiverKey } from '../nflog/index.ts';
import { fingerprint, isResolved } from '../types.ts';
import type { Alert, Integration, LabelSet } from '../types.ts';
import type { FlushContext, Stage } from './context.ts';

/** What mutes alerts: silences, inhibition and time intervals, as the muting stage asks them. */
export interface Muting {
  /** IDs of the silences muting `labels` at `now` (empty: not silenced). */
  silencedBy(labels: LabelSet, now: number): readonly string[];
  /** Fingerprints of the alerts inhibiting `labels` (empty: not inhibited). */
  inhibitedBy(labels: LabelSet): readonly string[];
  /** Those of the named time intervals that contain `now`; an unknown name throws. */
  activeIntervals(names: readonly string[], now: number): readonly string[];
}

/** Why alerts were kept from a notification (`alertmanager_notifications_suppressed_total{reason}`). */
export type SuppressionReason = 'silence' | 'inhibition' | 'mute_time_interval' | 'active_time_interval';

/** One call of a notifier, successful or not: metrics and history are made of these. */
export interface DeliveryAttempt {
  time: number;
  receiver: string;
  integration: string;
  index: number;
  groupKey: string;
  alerts: readonly Alert[];
  /** 1 for the first try of this flush. */
  attempt: number;
  ok: boolean;
  retryable: boolean;
  error: string;
  durationMs: number;
}

/** Told what the pipeline does, for metrics, logs and history. */
export interface PipelineObserver {
  suppressed(reason: SuppressionReason, count: number): void;
  /** A notification was started for an integration (`alertmanager_notifications_total`). */
  notification(integration: string): void;
  /** It finally failed, after retries (`alertmanager_notifications_failed_total`). */
  notificationFailed(integration: string, error: string): void;
  attempt(attempt: DeliveryAttempt): void;
}

/**
 * Silences, inhibition and time intervals in one stage. Time intervals mute the whole group (the
 * route is outside its active intervals, or inside a mute interval); silences and inhibition mute
 * single alerts, and the marker records by what so the API can show it.
 */
export function muteStage(muting: Muting, marker: Marker, observer: PipelineObserver): Stage {
  return async (context, alerts) => {
    let groupMutedBy: readonly string[] = [];
    let reason: SuppressionReason | null = null;
    if (context.activeTimeIntervals.length > 0 && muting.activeIntervals(context.activeTimeIntervals, context.now).length === 0) {
      groupMutedBy = context.activeTimeIntervals;
      reason = 'active_time_interval';
    } else if (context.muteTimeIntervals.length > 0) {
      groupMutedBy = muting.activeIntervals(context.muteTimeIntervals, context.now);
      if (groupMutedBy.length > 0) reason = 'mute_time_interval';
    }
    marker.setGroupMuted(context.routeId, context.groupKey, groupMutedBy);
    if (reason !== null) {
      observer.suppressed(reason, alerts.length);
      return [];
    }
    const passed: Alert[] = [];
    let silenced = 0;
    let inhibited = 0;
    for (const alert of alerts) {
      const key = fingerprint(alert.labels);
      const inhibitedBy = muting.inhibitedBy(alert.labels);
      const silencedBy = muting.silencedBy(alert.labels, context.now);
      marker.setInhibited(key, inhibitedBy);
      marker.setSilenced(key, silencedBy);
      if (inhibitedBy.length > 0) inhibited++;
      else if (silencedBy.length > 0) silenced++;
      else passed.push(alert);
    }
    if (inhibited > 0) observer.suppressed('inhibition', inhibited);
    if (silenced > 0) observer.suppressed('silence', silenced);
    return passed;
  };
}

/**
 * Waits this instance's turn in a high-availability cluster (position × peer timeout) so that peers
 * ahead of it notify first and the notification log tells it not to. Vigil runs alone: position 0.
 */
export function waitStage(scheduler: Scheduler, wait: () => number): Stage {
  return async (context, alerts) => {
    const delay = wait();
    if (delay > 0) await sleep(scheduler, delay, context.signal);
    return alerts;
  };
}

/**
 * Lets a notification through only when the integration has not been told this already: new firing
 * alerts, all alerts resolved, newly resolved ones (when it wants them) or `repeat_interval` passed
 * since the last notification (Alertmanager's DedupStage.needsUpdate).
 */
export function dedupStage(integration: Integration, receiver: ReceiverKey, log: NotificationLog): Stage {
  return async (context, alerts) => {
    const firing: string[] = [];
    const resolved: string[] = [];
    for (const alert of alerts) (isResolved(alert, context.now) ? resolved : firing).push(fingerprint(alert.labels));
    context.delivery = { firing, resolved };
    const entry = log.query(context.groupKey, receiver);
    return needsUpdate(entry, new Set(firing), new Set(resolved), integration.sendResolved, context.repeatInterval, context.now) ? alerts : [];
  };
}

export function needsUpdate(entry: NotificationLogEntry | undefined, firing: ReadonlySet<string>, resolved: ReadonlySet<string>, sendResolved: boolean, repeatInterval: number, now: number): boolean {
  if (entry === undefined) return firing.size > 0;
  if (!isFiringSubset(entry, firing)) return true;
  if (firing.size === 0) return entry.firingAlerts.length > 0;
  if (sendResolved && !isResolvedSubset(entry, resolved)) return true;
  return entry.timestamp < now - repeatInterval;
}

/** Alertmanager's back-off (cenkalti/backoff defaults): 0.5 s growing ×1.5 up to 60 s, ±50 % jitter. */
export interface BackoffOptions {
  initialMs: number;
  multiplier: number;
  maxMs: number;
  randomization: number;
  /** A number in [0, 1); injected so tests are repeatable. */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, multiplier: 1.5, maxMs: 60_000, randomization: 0.5, random: Math.random };

/**
 * Calls the integration's notifier, and again with exponential back-off while it fails with a
 * retryable error, until it succeeds or the flush's time is up (the group's next flush), as
 * Alertmanager's RetryStage. Every attempt is reported. Without `send_resolved`, only firing alerts
 * are sent, and nothing when none fire (the notification log still records the resolution).
 */
export interface RetryStageOptions {
  integration: Integration;
  receiver: ReceiverKey;
  scheduler: Scheduler;
  observer: PipelineObserver;
  backoff: BackoffOptions;
  /** Handed to notifiers for links back to Vigil. */
  externalURL: string;
}

export function retryStage(options: RetryStageOptions): Stage {
  const { integration, receiver, scheduler, observer, backoff, externalURL } = options;
  const name = receiver.integration;
  return async (context, alerts) => {
    observer.notification(name);
    try {
      return await retry(context, alerts);
    } catch (error) {
      observer.notificationFailed(name, (error as Error).message);
      throw error;
    }
  };

  async function retry(context: FlushContext, alerts: readonly Alert[]): Promise<readonly Alert[]> {
    let sent = alerts;
    if (!integration.sendResolved) {
      if ((context.delivery?.firing.length ?? 0) === 0) return alerts;
      sent = alerts.filter((alert) => !isResolved(alert, context.now));
    }
    const label = `${receiver.receiver}/${name}[${receiver.index}]`;
    let interval = backoff.initialMs;
    let lastError = '';
    for (let attempt = 1; ; attempt++) {
      if (context.signal.aborted) throw new Error(`${label}: notify retry canceled after ${attempt - 1} attempts: ${lastError || 'context canceled'}`);
      const started = scheduler.now();
      const startedPrecise = performance.now();
      let result;
      try {
        result = await integration.notifier.notify(
          { receiver: context.receiver, groupKey: context.groupKey, groupLabels: context.groupLabels, externalURL, now: started, signal: context.signal },
          sent,
        );
      } catch (error) {
        result = { ok: false as const, retryable: true, error: (error as Error).message };
      }
      const durationMs = performance.now() - startedPrecise;
      observer.attempt({
        time: started,
        receiver: receiver.receiver,
        integration: name,
        index: receiver.index,
        groupKey: context.groupKey,
        alerts: sent,
        attempt,
        ok: result.ok,
        retryable: result.ok ? false : result.retryable,
        error: result.ok ? '' : result.error,
        durationMs,
      });
      if (result.ok) return alerts;
      if (!result.retryable) throw new Error(`${label}: notify retry canceled due to unrecoverable error after ${attempt} attempts: ${result.error}`);
      lastError = result.error;
      const jitter = 1 + backoff.randomization * (2 * backoff.random() - 1);
      try {
        await sleep(scheduler, interval * jitter, context.signal);
      } catch {
        throw new Error(`${label}: notify retry canceled after ${attempt} attempts: ${lastError}`);
      }
      interval = Math.min(interval * backoff.multiplier, backoff.maxMs);
    }
  }
}

/** Records the delivered notification in the log, kept for twice the repeat interval (SetNotifiesStage). */
export function setNotifiesStage(receiver: ReceiverKey, log: NotificationLog, scheduler: Scheduler): Stage {
  return async (context, alerts) => {
    const delivery = context.delivery;
    if (delivery === undefined) throw new Error('firing alerts missing');
    // Stamped when delivered, not when the flush began, as Alertmanager's log does.
    log.log(receiver, context.groupKey, delivery.firing, delivery.resolved, scheduler.now(), 2 * context.repeatInterval);
    return alerts;
  };
}
