import type { Alert, LabelSet } from '../types.ts';

/**
 * The one object passed along the pipeline for one flush of one aggregation group (what Alertmanager
 * keeps in context keys). Fan-out gives each branch its own copy, so the dedup stage of one
 * integration can note what it decided for the stages after it.
 */
export interface FlushContext {
  receiver: string;
  groupKey: string;
  groupLabels: LabelSet;
  routeId: string;
  repeatInterval: number;
  muteTimeIntervals: readonly string[];
  activeTimeIntervals: readonly string[];
  /** Time of the flush (ms). */
  now: number;
  /** Aborted when the group's next flush is due or the notifier stops; retries end there. */
  signal: AbortSignal;
  /** Set by the dedup stage: fingerprints of the firing and resolved alerts of this notification. */
  delivery?: { firing: string[]; resolved: string[] };
}

/** One step of the pipeline: takes alerts, passes on those that go further. Throws to fail the flush. */
export type Stage = (context: FlushContext, alerts: readonly Alert[]) => Promise<readonly Alert[]>;

/** Runs stages one after another, stopping when one lets nothing through (Alertmanager's MultiStage). */
export function sequence(...stages: Stage[]): Stage {
  return async (context, alerts) => {
    let current = alerts;
    for (const stage of stages) {
      if (current.length === 0) return current;
      current = await stage(context, current);
    }
    return current;
  };
}

/**
 * Runs each branch on its own copy of the context, all at once; fails when any branch fails, after
 * all have finished (Alertmanager's FanoutStage), so one broken integration does not stop the others.
 */
export function fanout(...branches: Stage[]): Stage {
  return async (context, alerts) => {
    const results = await Promise.allSettled(branches.map((branch) => branch({ ...context }, alerts)));
    const errors = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as Error).message] : []));
    if (errors.length > 0) throw new Error(errors.join('; '));
    return alerts;
  };
}

/** Picks the receiver's stage by the context's receiver name (Alertmanager's RoutingStage). */
export function byReceiver(stages: ReadonlyMap<string, Stage>): Stage {
  return async (context, alerts) => {
    const stage = stages.get(context.receiver);
    if (stage === undefined) throw new Error(`stage for receiver missing: ${context.receiver}`);
    return stage(context, alerts);
  };
}
