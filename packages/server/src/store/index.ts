/** Storage: the contract every engine implements, and the engines. */
export type {
  Appender,
  Querier,
  SampleIterator,
  Sample,
  SelectHints,
  Series,
  SeriesRef,
  Storage,
  StorageStats,
} from './types.ts';
export { AppendStatus, appendStatusName } from './types.ts';
export { MemoryStorage } from './memory/memory-storage.ts';
