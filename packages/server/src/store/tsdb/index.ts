/** Vigil's time-series database: head, WAL, blocks, compaction, retention. */
export { Tsdb } from './db.ts';
export type { TsdbCounters, TsdbOptions } from './db.ts';
