/** Backfill: exposition text with timestamps, written straight into blocks. */
export { Backfill, BackfillError, backfillStream } from './backfill.ts';
export type { BackfillOptions, BackfillResult } from './backfill.ts';
