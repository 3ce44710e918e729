import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Alert } from './types.ts';

/**
 * Snapshot files of the Alertmanager's state in `--alertmanager.storage.path` (alerts, notification
 * log, aggregation groups, silences): one format number and one atomic writer for all of them.
 */
export const SNAPSHOT_FORMAT = 1;

/** Writes `value` as JSON to `file` atomically: a temp file, fsynced, renamed over the old one. */
export function writeSnapshot(file: string, value: unknown): number {
  const body = JSON.stringify({ format: SNAPSHOT_FORMAT, ...(value as object) });
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, body);
  const descriptor = openSync(temporary, 'r');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  renameSync(temporary, file);
  return Buffer.byteLength(body);
}

/** A snapshot's content, null when there is none yet, or the reason it cannot be read. */
export type SnapshotRead = { ok: true; value: Record<string, unknown> | null } | { ok: false; problem: string };

export function readSnapshot(file: string): SnapshotRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, value: null };
    return { ok: false, problem: `${file}: ${(error as Error).message}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `${file}: not valid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || (value as { format?: unknown }).format !== SNAPSHOT_FORMAT) {
    return { ok: false, problem: `${file}: not a snapshot of format ${SNAPSHOT_FORMAT}` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** An alert read back from a snapshot, or null when malformed. */
export function parseStoredAlert(raw: unknown): Alert | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const value = raw as Record<string, unknown>;
  const isRecord = (item: unknown): item is Record<string, string> =>
    typeof item === 'object' && item !== null && !Array.isArray(item) && Object.values(item).every((entry) => typeof entry === 'string');
  if (!isRecord(value.labels) || !isRecord(value.annotations)) return null;
  for (const field of ['startsAt', 'endsAt', 'updatedAt']) if (typeof value[field] !== 'number') return null;
  if (typeof value.generatorURL !== 'string' || typeof value.timeout !== 'boolean') return null;
  return {
    labels: value.labels,
    annotations: value.annotations,
    startsAt: value.startsAt as number,
    endsAt: value.endsAt as number,
    generatorURL: value.generatorURL,
    updatedAt: value.updatedAt as number,
    timeout: value.timeout,
  };
}
