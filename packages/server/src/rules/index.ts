/**
 * rules/: Prometheus rule files and their evaluation. Parse and check rule files (`parseRuleFile`,
 * `loadRuleFiles`), build a group against any query function and storage (`buildRuleGroup`),
 * evaluate it at a given time (`RuleGroup.evaluate`), read each alerting rule's alerts
 * (`AlertingRule.activeAlerts`), and run everything from prometheus.yml (`RuleManager`). The
 * notifier that posts alerts to external Alertmanagers lives in ./notifier.
 */
export { expandRuleFiles, loadRuleFiles, parseRuleFile, readRuleFile } from './file.ts';
export type { ParsedRuleFile, RuleDefinition, RuleFileOptions, RuleGroupDefinition } from './file.ts';
export { ALERT_FOR_STATE_METRIC_NAME, ALERT_METRIC_NAME, AlertingRule, RESOLVED_RETENTION_MS } from './alerting.ts';
export type { AlertState, AlertingRuleOptions, RuleAlert, RuleEvaluationContext, RuleHealth } from './alerting.ts';
export { RecordingRule } from './recording.ts';
export type { RecordingRuleOptions } from './recording.ts';
export { RuleGroup, goQueryEscape, groupKey, tableLinkForExpression } from './group.ts';
export type { AlertSender, GroupCounters, Rule, RuleGroupOptions, RuleLogger, RuleStorage } from './group.ts';
export { RuleManager, buildRuleGroup, relabelAlerts } from './manager.ts';
export type { AlertSink, BuildRuleGroupOptions, RuleManagerConfig, RuleManagerOptions, RuleMetricSource } from './manager.ts';
export { engineQueryFunction, templateQueryFunction } from './query.ts';
export type { RuleQueryFunction, RuleSample } from './query.ts';
export { AlertmanagerNotifier, DEFAULT_MAX_BATCH_SIZE, DEFAULT_QUEUE_CAPACITY, alertmanagerUrls, openApiAlert, resolveAlertmanagers } from './notifier/alertmanager-notifier.ts';
export type { AlertPoster, AlertmanagerNotifierOptions } from './notifier/alertmanager-notifier.ts';
