/**
 * file_sd_configs discovery, as Prometheus's discovery/file runs it: every refresh_interval and on
 * any change in the watched directories, the globs are expanded and every matching file re-read.
 * A file that cannot be read or parsed keeps its previous target groups (the error is logged); a
 * file that no longer matches loses them.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { glob, loadFileSdFile } from '../../config/index.ts';
import type { FileSdConfig, TargetGroup } from '../../config/index.ts';
import type { ScrapeLogger, ScrapeTimers } from './scrape-loop.ts';
import { systemTimers } from './scrape-loop.ts';

/** Watch events are coalesced over this many ms before a refresh. */
const WATCH_DEBOUNCE_MS = 50;

export class FileDiscovery {
  private readonly config: FileSdConfig;
  private readonly onChange: () => void;
  private readonly log: ScrapeLogger;
  private readonly timers: ScrapeTimers;
  private readonly byFile = new Map<string, TargetGroup[]>();
  private snapshot = '[]';
  private watchers: FSWatcher[] = [];
  private refreshTimer: unknown = null;
  private debounceTimer: unknown = null;
  private stopped = false;
  private refreshing: Promise<boolean> | null = null;
  /** Read errors since start, for Vigil's /metrics (prometheus_sd_file_read_errors_total). */
  readErrors = 0;

  constructor(config: FileSdConfig, onChange: () => void, log: ScrapeLogger, timers: ScrapeTimers = systemTimers) {
    this.config = config;
    this.onChange = onChange;
    this.log = log;
    this.timers = timers;
  }

  /** The current target groups, files in glob order. */
  groups(): TargetGroup[] {
    const out: TargetGroup[] = [];
    for (const groups of this.byFile.values()) out.push(...groups);
    return out;
  }

  /** Starts watching and the periodic refresh; call after the first refresh(). */
  start(): void {
    if (this.stopped) return;
    const dirs = new Set(this.config.files.map((pattern) => dirname(pattern)));
    for (const dir of dirs) {
      try {
        const watcher = watch(dir, { persistent: false }, () => this.changed());
        watcher.on('error', (error) => this.log('warn', 'Error watching file_sd directory', { dir, err: error.message }));
        this.watchers.push(watcher);
      } catch (error) {
        // A directory that does not exist yet: the periodic refresh still notices files appearing.
        this.log('warn', 'Cannot watch file_sd directory', { dir, err: (error as Error).message });
      }
    }
    this.scheduleRefresh();
  }

  stop(): void {
    this.stopped = true;
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
    if (this.refreshTimer !== null) this.timers.clearTimeout(this.refreshTimer);
    if (this.debounceTimer !== null) this.timers.clearTimeout(this.debounceTimer);
    this.refreshTimer = this.debounceTimer = null;
  }

  /** Re-reads every file now. Resolves true when the target groups changed (and onChange was called). */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const files: string[] = [];
    for (const pattern of this.config.files) {
      try {
        for (const file of await glob(pattern)) if (!files.includes(file)) files.push(file);
      } catch (error) {
        this.log('error', 'Error expanding glob', { glob: pattern, err: (error as Error).message });
      }
    }
    const next = new Map<string, TargetGroup[]>();
    for (const file of files) {
      try {
        next.set(file, await loadFileSdFile(file));
      } catch (error) {
        this.readErrors++;
        this.log('error', 'Error reading file', { path: file, err: (error as Error).message });
        const previous = this.byFile.get(file);
        if (previous !== undefined) next.set(file, previous);
      }
    }
    this.byFile.clear();
    for (const [file, groups] of next) this.byFile.set(file, groups);
    const snapshot = JSON.stringify([...this.byFile]);
    if (snapshot === this.snapshot) return false;
    this.snapshot = snapshot;
    if (!this.stopped) this.onChange();
    return true;
  }

  private changed(): void {
    if (this.stopped || this.debounceTimer !== null) return;
    this.debounceTimer = this.timers.setTimeout(() => {
      this.debounceTimer = null;
      if (!this.stopped) void this.refresh();
    }, WATCH_DEBOUNCE_MS);
  }

  private scheduleRefresh(): void {
    if (this.stopped) return;
    this.refreshTimer = this.timers.setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh().finally(() => this.scheduleRefresh());
    }, this.config.refreshIntervalMs);
  }
}
