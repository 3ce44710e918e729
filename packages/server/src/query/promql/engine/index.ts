/**
 * The PromQL evaluator. It evaluates a range query per series across all steps (sliding windows
 * over typed arrays), an instant query as the one-step case, with Prometheus 3's semantics.
 */
export { Engine } from './engine.ts';
export type { EngineOptions, QueryOptions, Queryable } from './engine.ts';
