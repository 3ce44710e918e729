/**
 * How rules query: a plain function type, so rules depend on "something that answers an instant
 * query" and not on the engine (the unit-test runner and the server hand in their own).
 */
import type { Labels } from '../model/index.ts';
import type { Expr } from '../query/promql/ast.ts';
import type { Engine, Queryable } from '../query/promql/engine/index.ts';
import type { QuerySample, TemplateQueryFunction } from '../template/index.ts';
import { labelsToRecord } from '../model/index.ts';

/** One sample of an instant query's answer. */
export interface RuleSample {
  labels: Labels;
  /** ms since the epoch. */
  timestamp: number;
  value: number;
}

/** Runs an instant query at `time` (ms); a scalar answer is one sample without labels. */
export type RuleQueryFunction = (query: string | Expr, time: number) => Promise<RuleSample[]>;

/** Prometheus's EngineQueryFunc: the engine on a queryable, vectors as they are, scalars as one sample. */
export function engineQueryFunction(engine: Engine, queryable: Queryable): RuleQueryFunction {
  return async (query, time) => {
    const result = await engine.instantQuery(queryable, query, time);
    const value = result.value;
    if (value.type === 'vector') return value.samples.map((sample) => ({ labels: sample.labels, timestamp: sample.timestamp, value: sample.value }));
    if (value.type === 'scalar') return [{ labels: [], timestamp: value.timestamp, value: value.value }];
    throw new Error('rule result is not a vector or scalar');
  };
}

/** The `query` template function on top of a rule query function, at the evaluation time. */
export function templateQueryFunction(query: RuleQueryFunction, time: number): TemplateQueryFunction {
  return async (expression: string): Promise<QuerySample[]> => (await query(expression, time)).map((sample) => ({ labels: labelsToRecord(sample.labels), value: sample.value }));
}
