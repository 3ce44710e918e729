/** Shared helpers for the WAL tests (not a test file itself). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RecordType } from './format.ts';
import { replayWal } from './reader.ts';
import type { ReplayOptions, ReplayReport } from './reader.ts';
import { decodeExemplars, decodeMetadata, decodeSamplesRaw, decodeSeries, decodeTombstones } from './records.ts';

export async function tmpDir(prefix = 'vigil-wal-'): Promise<string> {
  return fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function rmDir(dir: string): Promise<void> {
  await fs.promises.rm(dir, { recursive: true, force: true });
}

function hex8(b: Uint8Array, at: number): string {
  let s = '';
  for (let i = 7; i >= 0; i--) s += b[at + i].toString(16).padStart(2, '0');
  return s;
}

/** Everything a replay yields, as plain comparable rows (values as raw bit patterns). */
export interface Collected {
  series: string[];
  samples: string[];
  exemplars: string[];
  tombstones: string[];
  metadata: string[];
  unknown: string[];
  /** Per record: the segment it came from (-1 inside a checkpoint). */
  recordSegments: number[];
}

export function emptyCollected(): Collected {
  return { series: [], samples: [], exemplars: [], tombstones: [], metadata: [], unknown: [], recordSegments: [] };
}

/** Decodes one record into `into`. */
export function collectRecord(into: Collected, type: number, payload: Uint8Array): void {
  switch (type) {
    case RecordType.Series:
      decodeSeries(payload, (ref, labels) => into.series.push(`${ref} ${JSON.stringify(labels)}`));
      break;
    case RecordType.Samples:
      decodeSamplesRaw(payload, (ref, t, b, at) => into.samples.push(`${ref} ${t} ${hex8(b, at)}`));
      break;
    case RecordType.Exemplars:
      decodeExemplars(payload, (ref, t, v, labels) => into.exemplars.push(`${ref} ${t} ${v} ${JSON.stringify(labels)}`));
      break;
    case RecordType.Tombstones:
      decodeTombstones(payload, (ref, mint, maxt) => into.tombstones.push(`${ref} ${mint} ${maxt}`));
      break;
    case RecordType.Metadata:
      decodeMetadata(payload, (ref, mtype, unit, help) => into.metadata.push(`${ref} ${mtype} ${unit} ${help}`));
      break;
    default:
      into.unknown.push(`${type} ${Buffer.from(payload).toString('hex')}`);
  }
}

export async function collect(dir: string, options?: ReplayOptions): Promise<{ data: Collected; report: ReplayReport }> {
  const data = emptyCollected();
  const report = await replayWal(
    dir,
    0,
    (type, payload, at) => {
      data.recordSegments.push(at.checkpoint === null ? at.segment : -1);
      collectRecord(data, type, payload);
    },
    options,
  );
  return { data, report };
}

export async function segmentFiles(dir: string): Promise<string[]> {
  return (await fs.promises.readdir(dir)).filter((n) => /^\d{8}$/.test(n)).toSorted();
}
