/**
 * Recording rules (Prometheus's rules/recording.go): the expression's samples, renamed to the rule's
 * metric name and given its labels, are written back as series.
 */
import { METRIC_NAME, formatLabels, labelsFromRecord, labelsKey, labelsToRecord } from '../model/index.ts';
import type { Expr } from '../query/promql/ast.ts';
import { formatExpr } from '../query/promql/parser/index.ts';
import type { RuleEvaluationContext, RuleHealth } from './alerting.ts';
import type { RuleSample } from './query.ts';

export interface RecordingRuleOptions {
  /** The metric name written. */
  name: string;
  query: Expr;
  labels?: Record<string, string>;
}

export class RecordingRule {
  readonly kind = 'record' as const;
  readonly name: string;
  readonly query: Expr;
  readonly expression: string;
  readonly labels: Readonly<Record<string, string>>;
  health: RuleHealth = 'unknown';
  lastError: string | null = null;
  lastEvaluation: number | null = null;
  evaluationSeconds = 0;

  constructor(options: RecordingRuleOptions) {
    this.name = options.name;
    this.query = options.query;
    this.expression = formatExpr(options.query);
    const labels: Record<string, string> = {};
    for (const key of Object.keys(options.labels ?? {}).sort()) labels[key] = (options.labels ?? {})[key];
    this.labels = labels;
  }

  async evaluate(context: RuleEvaluationContext): Promise<RuleSample[]> {
    const result = await context.query(this.query, context.time - context.queryOffsetMs);
    const seen = new Set<string>();
    const output: RuleSample[] = [];
    for (const sample of result) {
      const labels = labelsFromRecord({ ...labelsToRecord(sample.labels), [METRIC_NAME]: this.name, ...this.labels });
      const key = labelsKey(labels);
      if (seen.has(key)) throw new Error('vector contains metrics with the same labelset after applying rule labels');
      seen.add(key);
      output.push({ labels, timestamp: sample.timestamp, value: sample.value });
    }
    if (context.limit > 0 && output.length > context.limit) throw new Error(`exceeded limit of ${context.limit} with ${output.length} series`);
    return output;
  }

  identity(): string {
    return `${this.name}${formatLabels(labelsFromRecord(this.labels))}`;
  }

  definitionText(): string {
    return JSON.stringify(['record', this.name, this.expression, this.labels]);
  }
}
