/**
 * Test support: one alert's whole life through a webhook receiver, checked byte for byte. The
 * condition is raised; the alert goes pending in /api/v1/alerts, fires `for` later, reaches the
 * Alertmanager (whose API shows the end Prometheus sent) and is posted to the webhook group_wait
 * later; the condition is cleared, the alert resolves and the resolved notification follows within a
 * group_interval. Both bodies must equal Alertmanager's version-4 JSON built by ./alertmanager-format.
 */
import assert from 'node:assert/strict';
import { generatorUrl, groupLabelsString, labelsFingerprint, webhookBody } from './alertmanager-format.ts';
import type { NotifiedAlert } from './alertmanager-format.ts';
import type { CaptureServer, CapturedRequest } from './seed-services.ts';
import { alertmanagerAlerts, lastEvaluationOf, ruleAlert } from './seed-vigil.ts';
import type { RuleAlertJson, SeedVigil } from './seed-vigil.ts';

const MINUTE = 60_000;

export interface WebhookLifeCycle {
  seed: SeedVigil;
  capture: CaptureServer;
  /** The path the receiver's URL was redirected to on the capture server. */
  path: string;
  receiver: string;
  /** The matched route's key (`{}` for the root, `{}/{severity="critical"}` for a child…). */
  routeKey: string;
  externalURL: string;
  groupWaitMs: number;
  groupIntervalMs: number;
  /** How long Prometheus declares a firing alert valid: 4 × max(resend delay, group interval). */
  validForMs: number;
  alertname: string;
  /** The rule's expression as Prometheus prints it (the generator URL's). */
  expression: string;
  forMs: number;
  raise: () => void;
  clear: () => void;
  labels: Record<string, string>;
  /** Fake time the alert may take to go pending once raised, and to resolve once cleared. */
  pendingWithinMs: number;
  resolveWithinMs: number;
}

/** The alert as Prometheus last sent it, in the shape the expected payload is built from. */
export function notified(alert: RuleAlertJson, externalURL: string, expression: string, startsAt: number, endsAt: number | undefined): NotifiedAlert {
  return { labels: alert.labels, annotations: alert.annotations, startsAt, endsAt, generatorURL: generatorUrl(externalURL, expression) };
}

/** Steps until the capture server receives one more request on `path`; returns it and the fake time. */
export async function nextRequest(seed: SeedVigil, capture: CaptureServer, path: string, what: string, withinMs: number): Promise<{ request: CapturedRequest; at: number }> {
  const seen = capture.to(path).length;
  return seed.stepper.until(
    what,
    () => {
      const requests = capture.to(path);
      return requests.length > seen ? { request: requests[seen], at: seed.stepper.now() } : undefined;
    },
    withinMs,
  );
}

/** Runs the life cycle; returns the firing and resolved alerts as the rules showed them last. */
export async function webhookLifeCycle(options: WebhookLifeCycle): Promise<{ firing: RuleAlertJson; resolved: RuleAlertJson }> {
  const { seed, capture, path, alertname } = options;
  const { stepper, vigil } = seed;
  options.raise();
  const pending = await stepper.until(`${alertname} pending`, () => ruleAlert(vigil, alertname, 'pending'), options.pendingWithinMs);
  assert.deepEqual(pending.labels, options.labels);
  const firingAlert = await stepper.until(`${alertname} firing`, () => ruleAlert(vigil, alertname, 'firing'), options.forMs + MINUTE);
  let last = firingAlert;
  const firedAt = lastEvaluationOf(vigil, alertname);
  assert.equal(firedAt - Date.parse(pending.activeAt), options.forMs, `${alertname} fires on the first evaluation \`for\` after activeAt`);

  const firing = await nextRequest(seed, capture, path, `the ${alertname} firing notification`, options.groupWaitMs + MINUTE);
  assert.equal(firing.at - firedAt, options.groupWaitMs, 'posted group_wait after the alert reached the Alertmanager');
  assert.equal(firing.request.method, 'POST');
  assert.equal(firing.request.headers['content-type'], 'application/json');
  const groupLabels = { alertname };
  const groupKey = `${options.routeKey}:${groupLabelsString(groupLabels)}`;
  const common = { receiver: options.receiver, groupKey, groupLabels, externalURL: options.externalURL };
  // A firing alert is notified with Go's zero end time (Alertmanager's dispatcher clears it).
  assert.equal(firing.request.body, webhookBody({ ...common, alerts: [notified(last, options.externalURL, options.expression, firedAt, undefined)], now: firing.at }));
  const [stored] = (await alertmanagerAlerts(vigil)).filter((alert) => alert.labels.alertname === alertname);
  assert.equal(Date.parse(stored.startsAt), firedAt, 'Prometheus sends an alert as starting when it fired');
  assert.equal(Date.parse(stored.endsAt), firedAt + options.validForMs, 'the Alertmanager keeps the end Prometheus sent');
  assert.deepEqual(stored.receivers.map((receiver) => receiver.name), [options.receiver]);
  assert.equal(stored.fingerprint, labelsFingerprint(last.labels));

  options.clear();
  await stepper.until(
    `${alertname} resolved`,
    async () => {
      const alert = await ruleAlert(vigil, alertname);
      if (alert !== undefined) last = alert;
      return alert === undefined ? true : undefined;
    },
    options.resolveWithinMs,
  );
  const resolvedAt = lastEvaluationOf(vigil, alertname);
  const resolved = await nextRequest(seed, capture, path, `the ${alertname} resolved notification`, options.groupIntervalMs + MINUTE);
  assert.ok(resolved.at - resolvedAt <= options.groupIntervalMs, 'sent at the group’s next group_interval tick');
  assert.equal(resolved.request.body, webhookBody({ ...common, alerts: [notified(last, options.externalURL, options.expression, firedAt, resolvedAt)], now: resolved.at }));
  return { firing: firingAlert, resolved: last };
}
