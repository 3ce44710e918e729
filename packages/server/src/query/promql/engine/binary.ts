import { METRIC_NAME, getLabel, labelsFromPairs, labelsKey } from '../../../model/index.ts';
import type { Labels } from '../../../model/index.ts';
import type { BinaryExpr, BinaryOp, VectorMatching } from '../ast.ts';
import type { StepGrid, StepSeries } from '../functions/types.ts';
import { QueryError } from '../value.ts';
import type { Evaluator } from './evaluator.ts';
import { SeriesCollector, describeLabels, dropMetricName, dropsName, inheritNameDrop, markNameDrop, newStepSeries, sameLabelsetError } from './values.ts';
import type { Evaluated, ScalarSteps, VectorSteps } from './values.ts';

/** Go's math.Pow where it differs from Math.pow (1^NaN, (-1)^±Inf). */
export function goPow(base: number, exponent: number): number {
  if (exponent === 0 || base === 1) return 1;
  if (base === -1 && (exponent === Infinity || exponent === -Infinity)) return 1;
  return Math.pow(base, exponent);
}

const ARITHMETIC = new Set<BinaryOp>(['+', '-', '*', '/', '%', '^', 'atan2']);
const COMPARISON = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);

export function isArithmetic(op: BinaryOp): boolean {
  return ARITHMETIC.has(op);
}

export function isComparison(op: BinaryOp): boolean {
  return COMPARISON.has(op);
}

/** An arithmetic operator's result (`%` is Go's math.Mod, which JavaScript's `%` matches). */
function arithmetic(op: BinaryOp, left: number, right: number): number {
  switch (op) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return left / right;
    case '%':
      return left % right;
    case '^':
      return goPow(left, right);
    case 'atan2':
      return Math.atan2(left, right);
    default:
      throw new QueryError('execution', `operator "${op}" not allowed here`);
  }
}

function compare(op: BinaryOp, left: number, right: number): boolean {
  switch (op) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '>':
      return left > right;
    case '<':
      return left < right;
    case '>=':
      return left >= right;
    case '<=':
      return left <= right;
    default:
      throw new QueryError('execution', `operator "${op}" is not a comparison`);
  }
}

export async function evaluateBinary(evaluator: Evaluator, node: BinaryExpr, grid: StepGrid): Promise<Evaluated> {
  const lhs = await evaluator.evaluate(node.lhs, grid);
  const rhs = await evaluator.evaluate(node.rhs, grid);
  if (lhs.type === 'scalar' && rhs.type === 'scalar') return scalarScalar(node.op, lhs, rhs);
  if (lhs.type === 'vector' && rhs.type === 'scalar') return vectorScalar(evaluator, node, lhs, rhs, false, grid);
  if (lhs.type === 'scalar' && rhs.type === 'vector') return vectorScalar(evaluator, node, rhs, lhs, true, grid);
  if (lhs.type === 'vector' && rhs.type === 'vector') {
    const matching = node.matching ?? { card: node.op === 'and' || node.op === 'or' || node.op === 'unless' ? 'many-to-many' : 'one-to-one', matchingLabels: [], on: false, include: [] };
    if (node.op === 'and' || node.op === 'or' || node.op === 'unless') return setOperation(evaluator, node.op, lhs, rhs, matching, grid);
    return vectorVector(evaluator, node, lhs, rhs, matching, grid);
  }
  throw new QueryError('execution', `binary operator "${node.op}" between ${lhs.type} and ${rhs.type} is not allowed`);
}

function scalarScalar(op: BinaryOp, lhs: ScalarSteps, rhs: ScalarSteps): ScalarSteps {
  const values = new Float64Array(lhs.values.length);
  const comparison = isComparison(op);
  for (let i = 0; i < values.length; i++) {
    values[i] = comparison ? (compare(op, lhs.values[i], rhs.values[i]) ? 1 : 0) : arithmetic(op, lhs.values[i], rhs.values[i]);
  }
  return { type: 'scalar', values };
}

/** A vector and a scalar; `swapped` when the scalar was written on the left. */
async function vectorScalar(evaluator: Evaluator, node: BinaryExpr, vector: VectorSteps, scalar: ScalarSteps, swapped: boolean, grid: StepGrid): Promise<VectorSteps> {
  const op = node.op;
  if (!isArithmetic(op) && !isComparison(op)) throw new QueryError('execution', `set operator "${op}" not allowed in binary scalar expression`);
  const comparison = isComparison(op);
  if (comparison && !node.returnBool) return filterByScalar(evaluator, op, vector, scalar, swapped, grid);
  const dropName = !comparison || node.returnBool;
  const collector = new SeriesCollector(grid.count);
  const out: StepSeries[] = [];
  for (const series of vector.series) {
    await evaluator.checkpoint();
    const target = dropName ? collector.get(evaluator.labelsDroppingName(series.labels)) : newStepSeries(series.labels, grid.count);
    if (dropName && evaluator.settings.delayedNameRemoval) markNameDrop(target);
    if (!dropName) {
      inheritNameDrop(target, series);
      out.push(target);
    }
    for (let i = 0; i < grid.count; i++) {
      if (series.present[i] !== 1) continue;
      const vectorValue = series.values[i];
      const left = swapped ? scalar.values[i] : vectorValue;
      const right = swapped ? vectorValue : scalar.values[i];
      let value: number;
      if (comparison) {
        const keep = compare(op, left, right);
        if (node.returnBool) value = keep ? 1 : 0;
        else if (keep) value = vectorValue;
        else continue;
      } else {
        value = arithmetic(op, left, right);
      }
      SeriesCollector.set(target, i, value);
    }
  }
  return { type: 'vector', series: dropName ? collector.finish() : out.filter((series) => series.present.includes(1)) };
}

/** `v op s` for the comparison written `s op v`: a mirrored operator gives the same answer, NaN included. */
const MIRRORED: Partial<Record<BinaryOp, BinaryOp>> = { '==': '==', '!=': '!=', '>': '<', '<': '>', '>=': '<=', '<=': '>=' };

/**
 * A comparison without `bool` between a vector and a scalar: a filter that keeps each series' name
 * and the values where the comparison holds. Each operator has its own loop over the typed arrays
 * (no call per step), so V8 optimises them early and the common `x == 1` stays a compare per step.
 */
async function filterByScalar(evaluator: Evaluator, written: BinaryOp, vector: VectorSteps, scalar: ScalarSteps, swapped: boolean, grid: StepGrid): Promise<VectorSteps> {
  const op = swapped ? (MIRRORED[written] as BinaryOp) : written;
  const right = scalar.values;
  const count = grid.count;
  const out: StepSeries[] = [];
  for (const series of vector.series) {
    await evaluator.checkpoint();
    const target = newStepSeries(series.labels, count);
    inheritNameDrop(target, series);
    const kept = filterSteps(op, series.values, series.present, right, target.values, target.present, count);
    if (kept > 0) out.push(target);
  }
  return { type: 'vector', series: out };
}

/** Copies the present steps where `value op right[i]` holds; returns how many. */
function filterSteps(op: BinaryOp, values: Float64Array, present: Uint8Array, right: Float64Array, outValues: Float64Array, outPresent: Uint8Array, count: number): number {
  let kept = 0;
  switch (op) {
    case '==':
      for (let i = 0; i < count; i++) {
        const value = values[i];
        if (present[i] === 1 && value === right[i]) {
          outValues[i] = value;
          outPresent[i] = 1;
          kept++;
        }
      }
      return kept;
    case '!=':
      for (let i = 0; i < count; i++) {
        const value = values[i];
        if (present[i] === 1 && value !== right[i]) {
          outValues[i] = value;
          outPresent[i] = 1;
          kept++;
        }
      }
      return kept;
    case '>':
      for (let i = 0; i < count; i++) {
        const value = values[i];
        if (present[i] === 1 && value > right[i]) {
          outValues[i] = value;
          outPresent[i] = 1;
          kept++;
        }
      }
      return kept;
    case '<':
      for (let i = 0; i < count; i++) {
        const value = values[i];
        if (present[i] === 1 && value < right[i]) {
          outValues[i] = value;
          outPresent[i] = 1;
          kept++;
        }
      }
      return kept;
    case '>=':
      for (let i = 0; i < count; i++) {
        const value = values[i];
        if (present[i] === 1 && value >= right[i]) {
          outValues[i] = value;
          outPresent[i] = 1;
          kept++;
        }
      }
      return kept;
    case '<=':
      for (let i = 0; i < count; i++) {
        const value = values[i];
        if (present[i] === 1 && value <= right[i]) {
          outValues[i] = value;
          outPresent[i] = 1;
          kept++;
        }
      }
      return kept;
    default:
      throw new QueryError('execution', `operator "${op}" is not a comparison`);
  }
}

/**
 * The key two series are matched on: the values of the `on(…)` labels, or of every label but the
 * `ignoring(…)` ones and the name. Computed once per series.
 */
function signatureFunction(matching: VectorMatching): (labels: Labels) => string {
  if (matching.on) {
    const names = [...new Set(matching.matchingLabels)].sort();
    return (labels) => {
      let key = '';
      for (const name of names) {
        const value = getLabel(labels, name);
        if (value !== '') key += `${name}\xfe${value}\xff`;
      }
      return key;
    };
  }
  const ignored = new Set([...matching.matchingLabels, METRIC_NAME]);
  return (labels) => {
    let key = '';
    for (let i = 0; i < labels.length; i += 2) if (!ignored.has(labels[i])) key += `${labels[i]}\xfe${labels[i + 1]}\xff`;
    return key;
  };
}

/** Ordinals of each side's signatures, shared between both sides so equal signatures get equal numbers. */
function signatureOrdinals(matching: VectorMatching, lhs: readonly StepSeries[], rhs: readonly StepSeries[]): { left: Int32Array; right: Int32Array; count: number } {
  const signature = signatureFunction(matching);
  const ordinals = new Map<string, number>();
  const assign = (series: readonly StepSeries[]): Int32Array => {
    const out = new Int32Array(series.length);
    for (let s = 0; s < series.length; s++) {
      const key = signature(series[s].labels);
      let ordinal = ordinals.get(key);
      if (ordinal === undefined) {
        ordinal = ordinals.size;
        ordinals.set(key, ordinal);
      }
      out[s] = ordinal;
    }
    return out;
  };
  const left = assign(lhs);
  const right = assign(rhs);
  return { left, right, count: ordinals.size };
}

/** Which steps have at least one series present. */
function stepsWithValues(series: readonly StepSeries[], count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (const one of series) for (let i = 0; i < count; i++) out[i] |= one.present[i];
  return out;
}

async function setOperation(evaluator: Evaluator, op: 'and' | 'or' | 'unless', lhs: VectorSteps, rhs: VectorSteps, matching: VectorMatching, grid: StepGrid): Promise<VectorSteps> {
  const left = lhs.series;
  const right = rhs.series;
  const ordinals = signatureOrdinals(matching, left, right);
  const stamp = new Int32Array(ordinals.count).fill(-1);
  const count = grid.count;
  if (op === 'or') {
    const collector = new SeriesCollector(count);
    const leftTargets = left.map((series) => collector.get(series.labels));
    const rightTargets = right.map((series) => collector.get(series.labels));
    // A pending name drop travels with the values actually taken from a series.
    const leftDrops = left.map((series) => dropsName(series));
    const rightDrops = right.map((series) => dropsName(series));
    for (let i = 0; i < count; i++) {
      await evaluator.checkpoint();
      for (let s = 0; s < left.length; s++) {
        if (left[s].present[i] !== 1) continue;
        stamp[ordinals.left[s]] = i;
        SeriesCollector.set(leftTargets[s], i, left[s].values[i]);
        if (leftDrops[s]) markNameDrop(leftTargets[s]);
      }
      for (let s = 0; s < right.length; s++) {
        if (right[s].present[i] !== 1 || stamp[ordinals.right[s]] === i) continue;
        SeriesCollector.set(rightTargets[s], i, right[s].values[i]);
        if (rightDrops[s]) markNameDrop(rightTargets[s]);
      }
    }
    return { type: 'vector', series: collector.finish() };
  }
  const out: StepSeries[] = left.map((series) => {
    const copy = newStepSeries(series.labels, count);
    inheritNameDrop(copy, series);
    return copy;
  });
  for (let i = 0; i < count; i++) {
    await evaluator.checkpoint();
    for (let s = 0; s < right.length; s++) if (right[s].present[i] === 1) stamp[ordinals.right[s]] = i;
    for (let s = 0; s < left.length; s++) {
      if (left[s].present[i] !== 1) continue;
      const matched = stamp[ordinals.left[s]] === i;
      if (matched === (op === 'and')) {
        out[s].present[i] = 1;
        out[s].values[i] = left[s].values[i];
      }
    }
  }
  return { type: 'vector', series: out.filter((series) => series.present.includes(1)) };
}

/** The labels `MatchLabels` keeps, for the duplicate-series error text. */
function matchedLabels(labels: Labels, matching: VectorMatching): Labels {
  const names = new Set(matching.matchingLabels);
  const out: string[] = [];
  for (let i = 0; i < labels.length; i += 2) {
    const listed = names.has(labels[i]);
    if (matching.on ? listed : !listed && labels[i] !== METRIC_NAME) out.push(labels[i], labels[i + 1]);
  }
  return out;
}

/** The labels of a result: the "many" side's, reduced for one-to-one matching, plus `group_x(…)` labels from the "one" side. */
function resultLabels(manySide: Labels, oneSide: Labels, matching: VectorMatching, dropName: boolean): Labels {
  let labels = dropName ? dropMetricName(manySide) : manySide;
  if (matching.card === 'one-to-one') {
    const names = new Set(matching.matchingLabels);
    const kept: string[] = [];
    for (let i = 0; i < labels.length; i += 2) if (names.has(labels[i]) === matching.on) kept.push(labels[i], labels[i + 1]);
    labels = kept;
  }
  if (matching.include.length === 0) return labels;
  const pairs = [...labels];
  for (const name of matching.include) pairs.push(name, getLabel(oneSide, name));
  return labelsFromPairs(pairs);
}

interface OutputSlot {
  series: StepSeries;
  /** Step and signature of the last match that produced these labels, for the many-to-one uniqueness check. */
  insertedStep: number;
  insertedOrdinal: number;
}

async function vectorVector(evaluator: Evaluator, node: BinaryExpr, lhs: VectorSteps, rhs: VectorSteps, matching: VectorMatching, grid: StepGrid): Promise<VectorSteps> {
  const op = node.op;
  if (matching.card === 'many-to-many') throw new QueryError('execution', 'many-to-many only allowed for set operators');
  const swap = matching.card === 'one-to-many';
  // The "many" side drives the loop; the "one" side must have one series per signature.
  const many = swap ? rhs.series : lhs.series;
  const one = swap ? lhs.series : rhs.series;
  const ordinals = signatureOrdinals(matching, many, one);
  const manyOrdinals = ordinals.left;
  const oneOrdinals = ordinals.right;
  const count = grid.count;
  const manyAny = stepsWithValues(many, count);
  const oneAny = stepsWithValues(one, count);
  const oneStamp = new Int32Array(ordinals.count).fill(-1);
  const oneIndex = new Int32Array(ordinals.count);
  const matchedStamp = new Int32Array(ordinals.count).fill(-1);
  const comparison = isComparison(op);
  // Arithmetic drops the name at once even with delayed name removal (Prometheus's resultMetric); `bool` defers it.
  const delayed = evaluator.settings.delayedNameRemoval;
  const dropName = !comparison || (node.returnBool && !delayed);
  const markDrop = comparison && node.returnBool && delayed;
  const labelCache = new Map<number, OutputSlot>();
  const slots = new Map<string, OutputSlot>();
  const outputs: StepSeries[] = [];
  const slotFor = (manyIndex: number, oneIndexValue: number): OutputSlot => {
    const cacheKey = matching.include.length === 0 ? manyIndex : manyIndex * one.length + oneIndexValue;
    let slot = labelCache.get(cacheKey);
    if (slot !== undefined) return slot;
    const labels = resultLabels(many[manyIndex].labels, one[oneIndexValue].labels, matching, dropName);
    const key = labelsKey(labels);
    slot = slots.get(key);
    if (slot === undefined) {
      slot = { series: newStepSeries(labels, count), insertedStep: -1, insertedOrdinal: -1 };
      if (markDrop) markNameDrop(slot.series);
      slots.set(key, slot);
      outputs.push(slot.series);
    }
    labelCache.set(cacheKey, slot);
    return slot;
  };

  for (let i = 0; i < count; i++) {
    await evaluator.checkpoint();
    if (manyAny[i] !== 1 || oneAny[i] !== 1) continue;
    for (let s = 0; s < one.length; s++) {
      if (one[s].present[i] !== 1) continue;
      const ordinal = oneOrdinals[s];
      if (oneStamp[ordinal] === i) {
        let first = describeLabels(one[s].labels);
        let second = describeLabels(one[oneIndex[ordinal]].labels);
        if (first > second) [first, second] = [second, first];
        throw new QueryError(
          'execution',
          `found duplicate series for the match group ${describeLabels(matchedLabels(one[s].labels, matching))} on the ${swap ? 'left' : 'right'} hand-side of the operation: [${first}, ${second}];many-to-many matching not allowed: matching labels must be unique on one side`,
        );
      }
      oneStamp[ordinal] = i;
      oneIndex[ordinal] = s;
    }
    for (let s = 0; s < many.length; s++) {
      if (many[s].present[i] !== 1) continue;
      const ordinal = manyOrdinals[s];
      if (oneStamp[ordinal] !== i) continue;
      const matchIndex = oneIndex[ordinal];
      const manyValue = many[s].values[i];
      const oneValue = one[matchIndex].values[i];
      const left = swap ? oneValue : manyValue;
      const right = swap ? manyValue : oneValue;
      let value: number;
      let keep = true;
      if (comparison) {
        keep = compare(op, left, right);
        value = node.returnBool ? (keep ? 1 : 0) : left;
      } else {
        value = arithmetic(op, left, right);
      }
      const slot = slotFor(s, matchIndex);
      if (matching.card === 'one-to-one') {
        if (matchedStamp[ordinal] === i) throw new QueryError('execution', 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
        matchedStamp[ordinal] = i;
      } else {
        if (slot.insertedStep === i && slot.insertedOrdinal === ordinal) {
          throw new QueryError('execution', 'multiple matches for labels: grouping labels must ensure unique matches');
        }
        slot.insertedStep = i;
        slot.insertedOrdinal = ordinal;
      }
      if (!keep && !node.returnBool) continue;
      if (slot.series.present[i] === 1) throw sameLabelsetError();
      slot.series.present[i] = 1;
      slot.series.values[i] = value;
    }
  }
  return { type: 'vector', series: outputs.filter((series) => series.present.includes(1)) };
}
