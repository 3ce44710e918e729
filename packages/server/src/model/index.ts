/** Shared vocabulary: interned symbols, label sets, matchers, regexes and time. */
export { SymbolTable } from './symbols.ts';
export { detach } from './strings.ts';
export type { Labels } from './labels.ts';
export {
  METRIC_NAME,
  compareLabels,
  compareStrings,
  formatLabels,
  getLabel,
  isValidLabelName,
  isValidMetricName,
  labelsEqual,
  labelsFromPairs,
  labelsFromRecord,
  labelsKey,
  labelsToRecord,
} from './labels.ts';
export { LabelMatcher } from './matcher.ts';
export type { MatchType } from './matcher.ts';
export { AnchoredRegex } from './regex.ts';
export type { Clock } from './time.ts';
export { formatDuration, parseDuration, systemClock } from './time.ts';
export { STALE_NAN_BITS, isStaleNaN, staleNaN } from './stale.ts';
export { formatFloat, goQuote, isGoFloatSyntax, parseGoFloat } from './strconv.ts';
export { labelsHash, xxhash64 } from './hash.ts';
