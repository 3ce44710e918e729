/**
 * Test support: a Vigil started on a seed's redirected files and a stepping scheduler, and the
 * Prometheus and Alertmanager API reads the seed alerting tests make.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpFunction } from '../../packages/server/src/alerting/receivers/index.ts';
import type { Vigil } from '../../packages/server/src/vigil.ts';
import { SteppingScheduler, VigilStepper } from './stepping-scheduler.ts';
import { startVigil } from './vigil.ts';

/** Where every seed test's fake time starts (an evaluation slot boundary is no special case). */
export const SEED_TEST_START = Date.UTC(2026, 0, 5, 9, 0, 0);

export interface SeedVigil {
  vigil: Vigil;
  stepper: VigilStepper;
  scheduler: SteppingScheduler;
}

export async function startSeedVigil(options: { dataDir: string; configFile?: string; alertmanagerConfigFile: string; externalURL: string; http?: HttpFunction }): Promise<SeedVigil> {
  mkdirSync(options.dataDir, { recursive: true });
  const scheduler = new SteppingScheduler(SEED_TEST_START);
  const vigil = await startVigil({
    dataDir: options.dataDir,
    configFile: options.configFile,
    scheduler,
    alertmanager: { configFile: options.alertmanagerConfigFile, storagePath: join(options.dataDir, 'alertmanager'), http: options.http },
    rules: { externalURL: options.externalURL },
  });
  const stepper = new VigilStepper(vigil, scheduler);
  await stepper.settle();
  return { vigil, stepper, scheduler };
}

/** One alert of Prometheus's /api/v1/alerts. */
export interface RuleAlertJson {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

export async function ruleAlerts(vigil: Vigil): Promise<RuleAlertJson[]> {
  const body = (await (await fetch(`${vigil.url}/api/v1/alerts`)).json()) as { status: string; data: { alerts: RuleAlertJson[] } };
  if (body.status !== 'success') throw new Error(`/api/v1/alerts answered ${JSON.stringify(body)}`);
  return body.data.alerts;
}

/** The rule alert named `alertname` in `state`, if there is one now. */
export async function ruleAlert(vigil: Vigil, alertname: string, state?: 'pending' | 'firing'): Promise<RuleAlertJson | undefined> {
  return (await ruleAlerts(vigil)).find((alert) => alert.labels.alertname === alertname && (state === undefined || alert.state === state));
}

/** One alert of Alertmanager's /api/v2/alerts. */
export interface AlertmanagerAlertJson {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  receivers: { name: string }[];
  status: { state: string };
}

export async function alertmanagerAlerts(vigil: Vigil): Promise<AlertmanagerAlertJson[]> {
  return (await (await fetch(`${vigil.url}/api/v2/alerts`)).json()) as AlertmanagerAlertJson[];
}

/** The scheduled time of the last evaluation of the group holding `alertname`. */
export function lastEvaluationOf(vigil: Vigil, alertname: string): number {
  const group = vigil.rules?.ruleGroups().find((candidate) => candidate.rules.some((rule) => rule.name === alertname));
  if (group?.lastEvaluationTimestamp === null || group === undefined) throw new Error(`no evaluated group holds ${alertname}`);
  return group.lastEvaluationTimestamp;
}

/** A float64 as Go's fmt prints it with %v (how `{{ $value }}` renders in Prometheus templates). */
export function goFloat(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return value === 0 ? '0' : Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  const [mantissa, exponentText] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return String(value);
}
