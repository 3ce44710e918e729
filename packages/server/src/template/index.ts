/**
 * template/: Go text/template semantics in TypeScript, shared by rules/ (alert labels and
 * annotations, Prometheus's function set) and alerting/ (notification templates, Alertmanager's
 * function set). See value.ts for how Go values are represented.
 */
export { Template, renderTemplate } from './template.ts';
export type { TemplateOptions } from './template.ts';
export { TemplateParseError } from './parse.ts';
export { TemplateExecError } from './exec.ts';
export type { MissingKey } from './exec.ts';
export { templateFunction } from './function.ts';
export type { FunctionMap, ParameterType, TemplateFunction } from './function.ts';
export { sprint, sprintf, sprintln } from './format.ts';
export { GoDuration, GoMap, GoStruct, GoTime, GoUint, goMethods, stringMap, withMethods } from './value.ts';
export type { GoMethod, GoMethodTable } from './value.ts';
export {
  alertTemplateData,
  alertTemplatePrefix,
  expandAlertTemplate,
  expandPrometheusTemplate,
  humanize,
  humanize1024,
  humanizeDuration,
  humanizePercentage,
  humanizeTimestamp,
  prometheusFunctions,
} from './prometheus.ts';
export type { AlertExpandOptions, AlertTemplateInput, PrometheusExpandOptions, PrometheusFunctionOptions, QuerySample, TemplateQueryFunction } from './prometheus.ts';
export { alertmanagerFunctions, alertmanagerTemplate, executeTextString, keyValues, notificationData } from './alertmanager.ts';
export type { AlertmanagerFunctionOptions, NotificationAlert, NotificationData } from './alertmanager.ts';
