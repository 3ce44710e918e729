import type { Labels } from '../../model/index.ts';
import type { PositionRange } from './ast.ts';

/**
 * What a query answers, what can go wrong, and the warnings that travel beside a result. These are
 * the engine's public types: the HTTP API, the rule evaluator and the promqltest runner consume them.
 * Timestamps are milliseconds since the epoch.
 */

export interface ScalarValue {
  type: 'scalar';
  timestamp: number;
  value: number;
}

export interface StringValue {
  type: 'string';
  timestamp: number;
  value: string;
}

export interface VectorSample {
  labels: Labels;
  timestamp: number;
  value: number;
}

export interface VectorValue {
  type: 'vector';
  /** In the order Prometheus returns them: as the expression produced them (sorted for sort()/sort_desc()). */
  samples: VectorSample[];
}

export interface MatrixSeries {
  labels: Labels;
  timestamps: Float64Array;
  values: Float64Array;
}

export interface MatrixValue {
  type: 'matrix';
  /** Sorted by labels, as Prometheus sorts a range query's result. */
  series: MatrixSeries[];
}

export type QueryValue = ScalarValue | StringValue | VectorValue | MatrixValue;

/**
 * Why a query failed, mapped to the API's `errorType` in one place (serve/). `bad_data`: the query
 * text or parameters are wrong. `execution`: evaluation failed (many-to-many matching, duplicate
 * label sets, too many samples). `timeout` and `canceled`: the query was stopped.
 */
export type QueryErrorKind = 'bad_data' | 'execution' | 'timeout' | 'canceled';

export class QueryError extends Error {
  constructor(
    readonly kind: QueryErrorKind,
    message: string,
    readonly position?: PositionRange,
  ) {
    super(message);
  }
}

/** A parse error, as Prometheus words it: `1:5: parse error: unexpected …`. */
export class ParseError extends QueryError {
  constructor(
    readonly detail: string,
    position: PositionRange,
    readonly line: number,
    readonly column: number,
  ) {
    super('bad_data', `${line}:${column}: parse error: ${detail}`, position);
  }
}

/**
 * Warnings and infos collected while evaluating, deduplicated by text (Prometheus's annotations).
 * Texts start with `PromQL warning: ` or `PromQL info: ` as Prometheus prints them.
 */
export class Annotations {
  readonly warnings = new Set<string>();
  readonly infos = new Set<string>();

  warn(message: string): void {
    this.warnings.add(message.startsWith('PromQL warning: ') ? message : `PromQL warning: ${message}`);
  }

  info(message: string): void {
    this.infos.add(message.startsWith('PromQL info: ') ? message : `PromQL info: ${message}`);
  }

  merge(other: Annotations): void {
    for (const message of other.warnings) this.warnings.add(message);
    for (const message of other.infos) this.infos.add(message);
  }
}

export interface QueryResult {
  value: QueryValue;
  warnings: string[];
  infos: string[];
}
