/** Alertmanager's label matchers: the type, parsing of matcher strings, legacy match maps, formatting. */
export { Matcher, compareMatchers, formatMatchers, matchesAll } from './matcher.ts';
export type { MatchType } from './matcher.ts';
export { matchersFromMatchMap, matchersFromMatchRegexMap, parseLabelArguments, parseMatcher, parseMatchers, sortMatchers } from './parse.ts';
