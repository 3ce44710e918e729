import type { Marker } from '../marker.ts';
import type { NotificationLog, ReceiverKey } from '../nflog/index.ts';
import type { Scheduler } from '../scheduler.ts';
import type { Integration } from '../types.ts';
import { byReceiver, fanout, sequence } from './context.ts';
import type { Stage } from './context.ts';
import { DEFAULT_BACKOFF, dedupStage, muteStage, retryStage, setNotifiesStage, waitStage } from './stages.ts';
import type { BackoffOptions, Muting, PipelineObserver } from './stages.ts';

export interface PipelineOptions {
  /** Each receiver's integrations, by receiver name. */
  receivers: ReadonlyMap<string, readonly Integration[]>;
  muting: Muting;
  marker: Marker;
  notificationLog: NotificationLog;
  scheduler: Scheduler;
  observer: PipelineObserver;
  externalURL: string;
  backoff?: BackoffOptions;
  /** This instance's wait before notifying, for high availability; Vigil runs alone (0). */
  peerWait?: () => number;
}

/** Integration names as Alertmanager's metrics and notification log spell them. */
export function integrationName(integration: Integration): string {
  return integration.kind;
}

/**
 * The notification pipeline, read top to bottom: for the group's receiver, mute (silences,
 * inhibition, time intervals), then for each of its integrations at once: wait our turn, drop what
 * was already notified, send with retries, and record what was sent.
 */
export function buildPipeline(options: PipelineOptions): Stage {
  const { notificationLog, scheduler, observer } = options;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const peerWait = options.peerWait ?? (() => 0);
  const receiverStages = new Map<string, Stage>();
  for (const [receiverName, integrations] of options.receivers) {
    const perIntegration = integrations.map((integration) => {
      const receiver: ReceiverKey = { receiver: receiverName, integration: integrationName(integration), index: integration.index };
      return sequence(
        waitStage(scheduler, peerWait),
        dedupStage(integration, receiver, notificationLog),
        retryStage({ integration, receiver, scheduler, observer, backoff, externalURL: options.externalURL }),
        setNotifiesStage(receiver, notificationLog, scheduler),
      );
    });
    receiverStages.set(receiverName, sequence(muteStage(options.muting, options.marker, observer), fanout(...perIntegration)));
  }
  return byReceiver(receiverStages);
}
