/**
 * `/api/v1/rules` and `/api/v1/alerts` in Prometheus's shapes (web/api/v1/api.go): groups with their
 * rules in file order, alerting rules with their active alerts, values as Go prints them.
 */
import type { Hono } from 'hono';
import { formatFloat, labelsToRecord } from '../model/index.ts';
import type { RuleAlert, RuleGroup } from '../rules/index.ts';
import { matchersParam, readParams } from './params.ts';
import { ApiError, failure, success } from './response.ts';

/** What the rules API reads: the rule manager's running groups. */
export interface RulesSource {
  ruleGroups(): RuleGroup[];
  /** The Alertmanagers rule alerts are sent to, and those relabeling dropped (URLs). */
  alertmanagers?(): { active: string[]; dropped: string[] };
}

export function mountRulesApi(app: Hono, source: RulesSource | undefined): void {
  app.on(['GET', 'POST'], '/api/v1/rules', async (c) => {
    try {
      const form = await readParams(c.req.raw);
      const matcherSets = matchersParam(form);
      const type = (c.req.query('type') ?? '').toLowerCase();
      if (type !== '' && type !== 'alert' && type !== 'record') throw new ApiError('bad_data', `invalid parameter "type": not supported value ${JSON.stringify(type)}`);
      const excludeAlerts = parseBool(c.req.query('exclude_alerts') ?? '');
      const ruleNames = new Set(form.getAll('rule_name[]'));
      const groupNames = new Set(form.getAll('rule_group[]'));
      const files = new Set(form.getAll('file[]'));
      const groups = [];
      for (const group of source?.ruleGroups() ?? []) {
        if (groupNames.size > 0 && !groupNames.has(group.name)) continue;
        if (files.size > 0 && !files.has(group.file)) continue;
        const rules = [];
        for (const rule of group.rules) {
          if (ruleNames.size > 0 && !ruleNames.has(rule.name)) continue;
          // match[] selects by the rule's configured labels: every matcher of one set, any set.
          if (matcherSets.length > 0 && !matcherSets.some((set) => set.every((matcher) => matcher.matches(rule.labels[matcher.name] ?? '')))) continue;
          if (rule.kind === 'alert') {
            if (type === 'record') continue;
            rules.push({
              state: rule.state(),
              name: rule.name,
              query: rule.expression,
              duration: rule.holdDurationMs / 1000,
              keepFiringFor: rule.keepFiringForMs / 1000,
              labels: { ...rule.labels },
              annotations: { ...rule.annotations },
              alerts: excludeAlerts ? null : rule.activeAlerts().map(apiAlert),
              health: rule.health,
              ...(rule.lastError === null ? {} : { lastError: rule.lastError }),
              evaluationTime: rule.evaluationSeconds,
              lastEvaluation: goTime(rule.lastEvaluation),
              type: 'alerting',
            });
          } else {
            if (type === 'alert') continue;
            rules.push({
              name: rule.name,
              query: rule.expression,
              labels: { ...rule.labels },
              health: rule.health,
              ...(rule.lastError === null ? {} : { lastError: rule.lastError }),
              evaluationTime: rule.evaluationSeconds,
              lastEvaluation: goTime(rule.lastEvaluation),
              type: 'recording',
            });
          }
        }
        // A group whose rules were all filtered out is left out, as Prometheus does.
        if (rules.length === 0) continue;
        groups.push({
          name: group.name,
          file: group.file,
          rules,
          interval: group.intervalMs / 1000,
          limit: group.limit,
          evaluationTime: group.evaluationSeconds,
          lastEvaluation: goTime(group.lastEvaluation),
        });
      }
      return success({ groups });
    } catch (error) {
      return failure(error);
    }
  });

  app.get('/api/v1/alertmanagers', () => {
    const { active, dropped } = source?.alertmanagers?.() ?? { active: [], dropped: [] };
    return success({ activeAlertmanagers: active.map((url) => ({ url })), droppedAlertmanagers: dropped.map((url) => ({ url })) });
  });

  app.on(['GET', 'POST'], '/api/v1/alerts', () => {
    const alerts = [];
    for (const group of source?.ruleGroups() ?? []) for (const rule of group.alertingRules()) alerts.push(...rule.activeAlerts().map(apiAlert));
    return success({ alerts });
  });
}

/** One alert as Prometheus's API shows it: value in Go's %e shortest form, activeAt as RFC 3339. */
export function apiAlert(alert: RuleAlert): Record<string, unknown> {
  return {
    labels: labelsToRecord(alert.labels),
    annotations: { ...alert.annotations },
    state: alert.state,
    activeAt: goTime(alert.activeAt),
    ...(alert.keepFiringSince === null ? {} : { keepFiringSince: goTime(alert.keepFiringSince) }),
    value: formatFloat(alert.value, 'e', -1),
  };
}

/** Go's time.Time JSON (RFC 3339 with trailing fractional zeros trimmed); null is Go's zero time. */
export function goTime(milliseconds: number | null): string {
  if (milliseconds === null) return '0001-01-01T00:00:00Z';
  const iso = new Date(milliseconds).toISOString();
  return iso.replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits === '' ? 'Z' : `.${digits}Z`));
}

/** strconv.ParseBool; empty is false. */
function parseBool(text: string): boolean {
  const value = text.toLowerCase();
  if (value === '' || ['0', 'f', 'false'].includes(value)) return false;
  if (['1', 't', 'true'].includes(value)) return true;
  throw new ApiError('bad_data', `invalid parameter "exclude_alerts": error converting exclude_alerts: strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`);
}
