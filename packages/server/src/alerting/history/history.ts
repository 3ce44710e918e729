import { appendFile, mkdir, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../model/index.ts';
import { parseRecord, recordMatches } from './records.ts';
import type { HistoryFilter, HistoryRecord } from './records.ts';

export interface AlertHistoryOptions {
  /** The folder of the history files. */
  dir: string;
  clock: Clock;
  /** Records older than this are deleted, a whole file at a time (ms). */
  retentionMs: number;
  /** A file is closed and a new one begun past this size (bytes) or age (ms). */
  maxFileBytes?: number;
  maxFileAgeMs?: number;
  /** Reports write and read problems; the history never fails the notifier. */
  warn?: (message: string) => void;
}

export interface HistoryCounters {
  recordsWritten: number;
  writeFailures: number;
  filesDeleted: number;
}

const FILE_PATTERN = /^history-(\d{13})\.jsonl$/;

function fileName(startTime: number): string {
  return `history-${String(Math.max(0, startTime)).padStart(13, '0')}.jsonl`;
}

/**
 * The persistent history of alert transitions and delivery attempts: append-only JSON-lines files,
 * one record a line, a new file per day or 16 MiB, whole files deleted once older than the retention.
 * Appends are queued and written in order in the background; queries wait for them, then read files
 * newest first. A torn last line (a crash mid-write) is skipped when read.
 */
export class AlertHistory {
  private readonly pending: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private writeScheduled = false;
  private currentFile: { name: string; start: number; bytes: number } | null = null;
  private ready: Promise<void>;
  readonly counters: HistoryCounters = { recordsWritten: 0, writeFailures: 0, filesDeleted: 0 };
  private readonly maxFileBytes: number;
  private readonly maxFileAgeMs: number;

  constructor(private readonly options: AlertHistoryOptions) {
    this.maxFileBytes = options.maxFileBytes ?? 16 << 20;
    this.maxFileAgeMs = options.maxFileAgeMs ?? 24 * 3600_000;
    this.ready = this.openFiles();
  }

  private async openFiles(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    const files = await this.files();
    const last = files.at(-1);
    if (last !== undefined) {
      const path = join(this.options.dir, last.name);
      const info = await stat(path);
      this.currentFile = { name: last.name, start: last.start, bytes: info.size };
      // A crash mid-write leaves a torn last line: start the next record on a line of its own.
      if (info.size > 0) {
        const handle = await open(path, 'r');
        try {
          const buffer = Buffer.alloc(1);
          await handle.read(buffer, 0, 1, info.size - 1);
          if (buffer[0] !== 0x0a) this.pending.unshift('\n');
        } finally {
          await handle.close();
        }
      }
    }
  }

  /** The history files, oldest first. */
  private async files(): Promise<{ name: string; start: number }[]> {
    let names: string[];
    try {
      names = await readdir(this.options.dir);
    } catch {
      return [];
    }
    const files: { name: string; start: number }[] = [];
    for (const name of names) {
      const match = FILE_PATTERN.exec(name);
      if (match !== null) files.push({ name, start: Number(match[1]) });
    }
    return files.sort((a, b) => a.start - b.start);
  }

  /** Queues a record for writing. */
  append(record: HistoryRecord): void {
    this.pending.push(`${JSON.stringify(record)}\n`);
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    this.writing = this.writing.then(() => this.writePending());
  }

  private async writePending(): Promise<void> {
    this.writeScheduled = false;
    await this.ready.catch(() => {});
    while (this.pending.length > 0) {
      const lines = this.pending.splice(0, this.pending.length);
      const body = lines.join('');
      const bytes = Buffer.byteLength(body);
      const now = this.options.clock.now();
      let file = this.currentFile;
      if (file === null || file.bytes + bytes > this.maxFileBytes || now - file.start >= this.maxFileAgeMs) {
        const start = Math.max(now, (file?.start ?? 0) + 1);
        file = { name: fileName(start), start, bytes: 0 };
        this.currentFile = file;
      }
      try {
        await appendFile(join(this.options.dir, file.name), body);
        file.bytes += bytes;
        this.counters.recordsWritten += lines.length;
      } catch (error) {
        this.counters.writeFailures += lines.length;
        this.options.warn?.(`writing the alert history failed, ${lines.length} records lost: ${(error as Error).message}`);
      }
    }
  }

  /** Resolves when every record appended so far is on disk (or failed). */
  async flush(): Promise<void> {
    await this.writing;
  }

  /** Records matching the filter, newest first. */
  async query(filter: HistoryFilter): Promise<HistoryRecord[]> {
    await this.flush();
    const files = await this.files();
    const result: HistoryRecord[] = [];
    const from = filter.from ?? -Infinity;
    const to = filter.to ?? Infinity;
    for (let index = files.length - 1; index >= 0 && result.length < filter.limit; index--) {
      const file = files[index];
      if (file.start > to) continue;
      const nextStart = files[index + 1]?.start ?? Infinity;
      // Records are appended in about time order; a file ending (where the next begins) before `from` is skipped.
      if (nextStart < from - this.maxFileAgeMs) break;
      let text: string;
      try {
        text = await readFile(join(this.options.dir, file.name), 'utf8');
      } catch (error) {
        this.options.warn?.(`reading the alert history file ${file.name} failed: ${(error as Error).message}`);
        continue;
      }
      const matching: { record: HistoryRecord; position: number }[] = [];
      for (const line of text.split('\n')) {
        if (line === '') continue;
        const record = parseRecord(line);
        if (record === null || record.time < from || record.time > to || !recordMatches(record, filter)) continue;
        matching.push({ record, position: matching.length });
      }
      // Newest first; records of the same millisecond in reverse order of writing.
      matching.sort((a, b) => b.record.time - a.record.time || b.position - a.position);
      for (const { record } of matching) {
        if (result.length >= filter.limit) break;
        result.push(record);
      }
    }
    // A file can hold a few records older than the next file's first (resolutions are dated at their end).
    result.sort((a, b) => b.time - a.time);
    return result;
  }

  /** Deletes files whose every record is older than the retention (the next file began before the cut-off). */
  async applyRetention(): Promise<number> {
    await this.flush();
    const cutoff = this.options.clock.now() - this.options.retentionMs;
    const files = await this.files();
    let deleted = 0;
    for (let index = 0; index + 1 < files.length; index++) {
      if (files[index + 1].start > cutoff) break;
      try {
        await rm(join(this.options.dir, files[index].name), { force: true });
        deleted++;
      } catch (error) {
        this.options.warn?.(`deleting the old alert history file ${files[index].name} failed: ${(error as Error).message}`);
      }
    }
    this.counters.filesDeleted += deleted;
    return deleted;
  }
}
