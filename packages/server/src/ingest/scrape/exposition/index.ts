/** Prometheus text 0.0.4 and OpenMetrics 1.0 exposition parsing for the scrape loop. */
export type { ExpositionFormat } from './content-type.ts';
export { SCRAPE_ACCEPT_HEADER, formatFromContentType } from './content-type.ts';
export { EXEMPLAR_MAX_LABEL_SET_LENGTH, EntryKind, ExpositionError, ExpositionParser } from './parser.ts';
export type { KnownMetadataLine, ParserContinuation } from './parser.ts';
export { splitExposition } from './pieces.ts';
export { formatOpenMetricsFloat, parseGoFloat, floatParseOk } from './float.ts';
