import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile, readdir, stat, unlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DashboardError, dashboardErrors } from './errors.ts';
import { folderDirectoryName, formatDashboardFile, writeFileAtomic } from './files.ts';
import { JsonSyntaxError, parseJsonText } from './json-text.ts';
import type { DashboardFolder, DashboardProvider, DeleteResult, ProvisioningProblem, SaveRequest, SaveResult, SearchHit, SearchOptions, StoredDashboard } from './model.ts';
import { grafanaSlug } from './slug.ts';
import { MAX_UID_LENGTH, derivedUid, isValidUid } from './uid.ts';

export type DashboardLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface DashboardStoreOptions {
  /** Provisioned folders, read in this order (the first to claim a uid keeps it). */
  providers: DashboardProvider[];
  /** Where dashboards saved through the API are written (created when the first one is saved). */
  savePath: string;
  /** Watch the folders for changes (fs.watch plus each provider's periodic rescan). Default true. */
  watch?: boolean;
  /** How long file-change notifications are gathered before a rescan, ms. Default 200. */
  debounceMs?: number;
  log?: DashboardLog;
}

/** One dashboard file as last read. */
interface FileEntry {
  file: string;
  relativePath: string;
  mtimeMs: number;
  size: number;
  created: number;
  /** The last good content; kept when the file later turns bad, so a half-edited file does not drop a dashboard. */
  parsed: ParsedFile | null;
  problem: string | null;
}

interface ParsedFile {
  dashboard: Record<string, unknown>;
  /** The file holds `{"dashboard": …}` rather than the dashboard itself. */
  wrapper: Record<string, unknown> | null;
  title: string;
  explicitUid: string | null;
  folderTitle: string;
}

interface ProviderState {
  provider: DashboardProvider;
  entries: Map<string, FileEntry>;
  /** Sub-folders seen (saved provider), so an empty folder still exists. */
  directories: Set<string>;
  problem: string | null;
  watcher: FSWatcher | null;
  timer: NodeJS.Timeout | null;
}

interface Located {
  state: ProviderState;
  entry: FileEntry;
}

const MAX_TITLE_LENGTH = 5000;
const MAX_MESSAGE_LENGTH = 500;

/**
 * The dashboards Vigil serves: read from provisioning folders and the save folder, re-read when they
 * change, saved back as Grafana-compatible JSON files. It knows nothing of HTTP; `serve/` turns its
 * answers and `DashboardError`s into Grafana's API.
 */
export class DashboardStore {
  private readonly states: ProviderState[];
  private readonly savedState: ProviderState;
  private readonly log: DashboardLog;
  private byUid = new Map<string, StoredDashboard>();
  private located = new Map<string, Located>();
  private folders = new Map<string, DashboardFolder>();
  private indexProblems: string[] = [];
  /** Ids stay with a uid for the life of the process, as database ids do in Grafana. */
  private readonly ids = new Map<string, number>();
  private nextId = 1;
  /** A rescan queued but not started yet, which later callers share. */
  private queuedScan: Promise<void> | null = null;
  private debounceTimer: NodeJS.Timeout | null = null;
  /** Scans, saves and deletes run one at a time, so a scan never undoes a save it did not see. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();
  private stopped = false;

  private constructor(private readonly options: DashboardStoreOptions) {
    this.log = options.log ?? (() => undefined);
    this.states = options.providers.map((provider) => newState(provider));
    this.savedState = newState({
      name: 'saved',
      kind: 'saved',
      path: options.savePath,
      folder: '',
      allowUiUpdates: true,
      foldersFromFilesStructure: true,
      updateIntervalMs: options.providers[0]?.updateIntervalMs ?? 10_000,
      origin: '--dashboards.save-path',
    });
    this.states.push(this.savedState);
  }

  /** Reads every folder once, then (unless `watch: false`) keeps watching them. */
  static async open(options: DashboardStoreOptions): Promise<DashboardStore> {
    const store = new DashboardStore(options);
    await store.rescan();
    if (options.watch !== false) store.startWatching();
    return store;
  }

  /** Calls `listener` after every change to the set of dashboards; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(uid: string): StoredDashboard | undefined {
    return this.byUid.get(uid);
  }

  /** Every dashboard, by title. */
  list(): StoredDashboard[] {
    return [...this.byUid.values()].sort(byTitle);
  }

  listFolders(): DashboardFolder[] {
    return [...this.folders.values()].sort((a, b) => a.title.localeCompare(b.title));
  }

  getFolder(uid: string): DashboardFolder | undefined {
    return [...this.folders.values()].find((folder) => folder.uid === uid);
  }

  /** Files that could not be read, dashboards that could not be served: `file:line:col: reason`. */
  problems(): ProvisioningProblem[] {
    const messages: string[] = [];
    for (const state of this.states) {
      if (state.problem !== null) messages.push(state.problem);
      for (const entry of sortedEntries(state)) if (entry.problem !== null) messages.push(entry.problem);
    }
    return [...messages, ...this.indexProblems].map((message) => ({ message }));
  }

  /** Grafana's search: folders first, then dashboards, each by title. */
  search(options: SearchOptions = {}): SearchHit[] {
    const query = options.query?.trim().toLowerCase() ?? '';
    const tags = options.tags ?? [];
    const hits: SearchHit[] = [];
    const folderFilter = options.folderUids !== undefined && options.folderUids.length > 0 ? new Set(options.folderUids) : null;
    const uidFilter = options.dashboardUids !== undefined && options.dashboardUids.length > 0 ? new Set(options.dashboardUids) : null;
    if (options.type !== 'dash-db' && tags.length === 0 && uidFilter === null && folderFilter === null) {
      const folders = this.listFolders();
      if (options.sort === 'alpha-desc') folders.reverse();
      for (const folder of folders) if (folder.title.toLowerCase().includes(query)) hits.push({ kind: 'folder', folder });
    }
    if (options.starred === true) return [];
    const descending = options.sort === 'alpha-desc';
    if (options.type !== 'dash-folder') {
      const dashboards = this.list();
      if (descending) dashboards.reverse();
      for (const dashboard of dashboards) {
        if (!dashboard.title.toLowerCase().includes(query)) continue;
        if (!tags.every((tag) => dashboard.tags.includes(tag))) continue;
        if (uidFilter !== null && !uidFilter.has(dashboard.uid)) continue;
        // Grafana's "General" folder is addressed by the empty uid.
        if (folderFilter !== null && !folderFilter.has(dashboard.folder?.uid ?? '')) continue;
        hits.push({ kind: 'dashboard', dashboard });
      }
    }
    const limit = Math.min(Math.max(options.limit ?? 1000, 1), 5000);
    const page = Math.max(options.page ?? 1, 1);
    return hits.slice((page - 1) * limit, page * limit);
  }

  /** Saves (creates or updates) a dashboard with Grafana's rules for uids, ids, versions and provisioning. */
  save(request: SaveRequest): Promise<SaveResult> {
    return this.exclusive(() => this.saveNow(request));
  }

  delete(uid: string): Promise<DeleteResult> {
    return this.exclusive(() => this.deleteNow(uid));
  }

  /** Re-reads every folder (after the scan, save or delete under way; calls made meanwhile share one scan). */
  rescan(): Promise<void> {
    if (this.queuedScan !== null) return this.queuedScan;
    const scan = this.exclusive(async () => {
      this.queuedScan = null;
      if (this.stopped) return;
      let changed = false;
      for (const state of this.states) if (await this.scanProvider(state)) changed = true;
      if (changed || this.byUid.size === 0) this.rebuild(changed);
    });
    this.queuedScan = scan;
    return scan;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.debounceTimer !== null) clearTimeout(this.debounceTimer);
    for (const state of this.states) {
      state.watcher?.close();
      state.watcher = null;
      if (state.timer !== null) clearInterval(state.timer);
      state.timer = null;
    }
    await this.queue;
  }

  private startWatching(): void {
    for (const state of this.states) {
      this.watchProvider(state);
      state.timer = setInterval(() => {
        // A folder that did not exist before gets its watcher once it appears.
        if (state.watcher === null) this.watchProvider(state);
        void this.rescan();
      }, state.provider.updateIntervalMs);
      state.timer.unref();
    }
  }

  private watchProvider(state: ProviderState): void {
    if (this.stopped) return;
    try {
      state.watcher = watch(state.provider.path, { recursive: true, persistent: false }, () => this.scheduleRescan());
      state.watcher.on('error', () => {
        // The folder went away; the periodic rescan notices and watches it again when it is back.
        state.watcher?.close();
        state.watcher = null;
        this.scheduleRescan();
      });
    } catch {
      state.watcher = null;
    }
  }

  private scheduleRescan(): void {
    if (this.stopped) return;
    if (this.debounceTimer !== null) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      void this.rescan();
    }, this.options.debounceMs ?? 200);
    this.debounceTimer.unref();
  }

  /** Brings one provider's entries up to date with its folder; true when anything changed. */
  private async scanProvider(state: ProviderState): Promise<boolean> {
    const root = state.provider.path;
    let changed = false;
    const seen = new Set<string>();
    const directories = new Set<string>();
    let problem: string | null = null;
    try {
      const files = await listJsonFiles(root, directories);
      for (const file of files) {
        seen.add(file);
        if (await this.refreshFile(state, file)) changed = true;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // An absent save folder just means nothing was saved yet.
      if (!(code === 'ENOENT' && state.provider.kind === 'saved')) {
        problem = code === 'ENOENT' ? `${root}: dashboards folder does not exist (${state.provider.origin})` : `${root}: ${(error as Error).message}`;
      }
    }
    for (const file of state.entries.keys()) {
      if (!seen.has(file)) {
        state.entries.delete(file);
        changed = true;
      }
    }
    if (problem !== state.problem) {
      if (problem !== null) this.log('warn', problem);
      state.problem = problem;
      changed = true;
    }
    if (!sameSet(directories, state.directories)) {
      state.directories = directories;
      changed = true;
    }
    return changed;
  }

  /** Re-reads one file if its size or modification time changed; true when the entry changed. */
  private async refreshFile(state: ProviderState, file: string): Promise<boolean> {
    let info;
    try {
      info = await stat(file);
    } catch {
      return state.entries.delete(file);
    }
    const previous = state.entries.get(file);
    if (previous !== undefined && previous.mtimeMs === info.mtimeMs && previous.size === info.size) return false;
    const relativePath = relative(state.provider.path, file).split(sep).join('/');
    const entry: FileEntry = {
      file,
      relativePath,
      mtimeMs: info.mtimeMs,
      size: info.size,
      created: previous?.created ?? (info.birthtimeMs > 0 ? info.birthtimeMs : info.mtimeMs),
      parsed: previous?.parsed ?? null,
      problem: null,
    };
    try {
      const text = await readFile(file, 'utf8');
      entry.parsed = parseDashboardFile(text, state.provider, relativePath);
    } catch (error) {
      entry.problem = `${file}:${error instanceof JsonSyntaxError ? `${error.line}:${error.column}` : '1:1'}: ${error instanceof JsonSyntaxError ? error.reason : (error as Error).message}`;
      this.log('warn', 'dashboard file not loaded', { file, problem: entry.problem, kept: entry.parsed !== null });
    }
    state.entries.set(file, entry);
    return true;
  }

  /** Rebuilds the uid index and folders from every provider's entries, in provider then path order. */
  private rebuild(notify: boolean): void {
    const byUid = new Map<string, StoredDashboard>();
    const located = new Map<string, Located>();
    const folders = new Map<string, DashboardFolder>();
    const problems: string[] = [];
    const folderFor = (title: string, explicitUid: string | undefined): DashboardFolder | null => {
      if (title === '') return null;
      let folder = folders.get(title);
      if (folder === undefined) {
        const uid = explicitUid !== undefined && explicitUid !== '' ? explicitUid : derivedUid(title, 'folder');
        folder = { id: this.idFor(`folder:${uid}`), uid, title };
        folders.set(title, folder);
      }
      return folder;
    };
    for (const state of this.states) {
      const provider = state.provider;
      if (provider.folder !== '') folderFor(provider.folder, provider.folderUid);
      for (const directory of [...state.directories].sort()) folderFor(directory, undefined);
      for (const entry of sortedEntries(state)) {
        const parsed = entry.parsed;
        if (parsed === null) continue;
        const uid = parsed.explicitUid ?? derivedUid(parsed.title, entry.relativePath);
        const other = located.get(uid);
        if (other !== undefined) {
          problems.push(`${entry.file}: dashboard uid ${JSON.stringify(uid)} is already used by ${other.entry.file}; this file is not served`);
          continue;
        }
        const id = this.idFor(`dashboard:${uid}`);
        const version = typeof parsed.dashboard.version === 'number' && Number.isInteger(parsed.dashboard.version) ? parsed.dashboard.version : 1;
        const provisioned = provider.kind === 'provisioned';
        byUid.set(uid, {
          id,
          uid,
          title: parsed.title,
          slug: grafanaSlug(parsed.title),
          tags: Array.isArray(parsed.dashboard.tags) ? parsed.dashboard.tags.filter((tag): tag is string => typeof tag === 'string') : [],
          version,
          folder: folderFor(parsed.folderTitle, parsed.folderTitle === provider.folder ? provider.folderUid : undefined),
          dashboard: withIdentity(parsed.dashboard, id, uid, version),
          provisioned,
          canSave: !provisioned || provider.allowUiUpdates,
          provider: provider.name,
          relativePath: entry.relativePath,
          created: entry.created,
          updated: entry.mtimeMs,
        });
        located.set(uid, { state, entry });
      }
    }
    for (const problem of problems) if (!this.indexProblems.includes(problem)) this.log('warn', problem);
    this.byUid = byUid;
    this.located = located;
    this.folders = folders;
    this.indexProblems = problems;
    if (notify) for (const listener of this.listeners) listener();
  }

  private idFor(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(key, id);
    }
    return id;
  }

  private async saveNow(request: SaveRequest): Promise<SaveResult> {
    const dashboard = request.dashboard;
    if (typeof dashboard !== 'object' || dashboard === null || Array.isArray(dashboard)) throw new DashboardError(400, 'dashboard must be a JSON object');
    const given = dashboard as Record<string, unknown>;
    const title = typeof given.title === 'string' ? given.title.trim() : '';
    if (title === '') throw dashboardErrors.titleEmpty();
    if (title.length > MAX_TITLE_LENGTH) throw dashboardErrors.titleTooLong();
    if ((request.message ?? '').length > MAX_MESSAGE_LENGTH) throw dashboardErrors.messageTooLong();
    let uid = typeof given.uid === 'string' ? given.uid : '';
    if (!isValidUid(uid)) throw dashboardErrors.invalidUid();
    if (uid.length > MAX_UID_LENGTH) throw dashboardErrors.uidTooLong();
    const overwrite = request.overwrite === true;

    let requestedFolder: DashboardFolder | null | undefined;
    if (request.folderUid !== undefined) {
      requestedFolder = request.folderUid === '' ? null : (this.getFolder(request.folderUid) ?? null);
      if (requestedFolder === null && request.folderUid !== '') throw dashboardErrors.folderNotFound();
    }

    // Grafana's order: an id must name an existing dashboard; a uid may; both must agree.
    const id = typeof given.id === 'number' && given.id > 0 ? given.id : 0;
    const byId = id > 0 ? [...this.byUid.values()].find((candidate) => candidate.id === id) : undefined;
    if (id > 0 && byId === undefined) throw dashboardErrors.notFound();
    const byUid = uid === '' ? undefined : this.byUid.get(uid);
    if (byId !== undefined && byUid !== undefined && byId.uid !== byUid.uid) throw dashboardErrors.sameUidExists();
    let existing = byId ?? byUid;
    if (existing === undefined && uid === '') {
      // No uid (a seed file, say): the one derived from the title and folder, so importing the same
      // file again with overwrite updates the dashboard it made before instead of adding a copy.
      const source = `saved/${requestedFolder?.uid ?? ''}`;
      const derived = this.byUid.get(derivedUid(title, source));
      if (overwrite && derived !== undefined && derived.canSave) existing = derived;
      else uid = this.freshUid(title, source);
    }
    if (existing !== undefined) {
      uid = existing.uid;
      if (!existing.canSave) throw dashboardErrors.cannotSaveProvisioned();
      if (given.version !== existing.version && !overwrite) throw dashboardErrors.versionMismatch();
    }
    // A provisioned dashboard stays in its provider's folder.
    const folder: DashboardFolder | null = requestedFolder !== undefined && existing?.provisioned !== true ? requestedFolder : (existing?.folder ?? null);
    const version = existing === undefined ? 1 : existing.version + 1;
    const stored = withIdentity(given, null, uid, version);

    const place = existing === undefined ? undefined : this.located.get(existing.uid);
    let target: string;
    let content: unknown = stored;
    let previousFile: string | null = null;
    if (place !== undefined && place.state.provider.kind === 'provisioned') {
      target = place.entry.file;
      if (place.entry.parsed?.wrapper !== null && place.entry.parsed?.wrapper !== undefined) content = { ...place.entry.parsed.wrapper, dashboard: stored };
    } else {
      const directory = folder === null ? this.savedState.provider.path : join(this.savedState.provider.path, folderDirectoryName(folder.title));
      const sameFolder = place !== undefined && (existing?.folder?.uid ?? '') === (folder?.uid ?? '');
      target = sameFolder ? place.entry.file : join(directory, `${uid}.json`);
      if (place !== undefined && place.entry.file !== target) previousFile = place.entry.file;
    }
    await writeFileAtomic(target, formatDashboardFile(content));
    if (previousFile !== null) await unlink(previousFile).catch(() => undefined);
    const state = place?.state.provider.kind === 'provisioned' ? place.state : this.savedState;
    if (previousFile !== null) place?.state.entries.delete(previousFile);
    if (folder !== null && state === this.savedState) state.directories.add(folderDirectoryName(folder.title));
    await this.refreshFile(state, target);
    this.rebuild(true);
    const saved = this.byUid.get(uid);
    if (saved === undefined) throw new DashboardError(500, `dashboard ${uid} was written to ${target} but could not be read back`);
    this.log('info', 'dashboard saved', { uid, title, version, file: target });
    const result: SaveResult = { id: saved.id, uid, url: dashboardUrl(saved), status: 'success', version: saved.version, slug: saved.slug };
    if (saved.folder !== null) result.folderUid = saved.folder.uid;
    return result;
  }

  /** A uid for a new dashboard without one: derived from its title and folder, unique. */
  private freshUid(title: string, source: string): string {
    let uid = derivedUid(title, source);
    for (let attempt = 2; this.byUid.has(uid); attempt++) uid = derivedUid(title, `${source}#${attempt}`);
    return uid;
  }

  private async deleteNow(uid: string): Promise<DeleteResult> {
    const existing = this.byUid.get(uid);
    const place = this.located.get(uid);
    if (existing === undefined || place === undefined) throw dashboardErrors.notFound();
    if (existing.provisioned) throw dashboardErrors.cannotDeleteProvisioned();
    await unlink(place.entry.file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    place.state.entries.delete(place.entry.file);
    this.rebuild(true);
    this.log('info', 'dashboard deleted', { uid, title: existing.title, file: place.entry.file });
    return { id: existing.id, uid, title: existing.title, message: `Dashboard ${existing.title} deleted` };
  }
}

export function dashboardUrl(dashboard: Pick<StoredDashboard, 'uid' | 'slug'>): string {
  return `/d/${dashboard.uid}/${dashboard.slug}`;
}

function newState(provider: DashboardProvider): ProviderState {
  return { provider, entries: new Map(), directories: new Set(), problem: null, watcher: null, timer: null };
}

function sortedEntries(state: ProviderState): FileEntry[] {
  return [...state.entries.values()].sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
}

function byTitle(a: StoredDashboard, b: StoredDashboard): number {
  return a.title.localeCompare(b.title, 'en', { sensitivity: 'base' }) || a.uid.localeCompare(b.uid);
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((value) => b.has(value));
}

/**
 * The dashboard with `id`, `uid` and `version` set, every other key as given and in the given
 * order (a key already present keeps its place; a new one goes at the end).
 */
function withIdentity(dashboard: Record<string, unknown>, id: number | null, uid: string, version: number): Record<string, unknown> {
  return { ...dashboard, id, uid, version };
}

/** Every `.json` file under `root` (hidden names skipped); first-level sub-folders go into `directories`. */
async function listJsonFiles(root: string, directories: Set<string>): Promise<string[]> {
  const files: string[] = [];
  const walk = async (directory: string, depth: number) => {
    const items = await readdir(directory, { withFileTypes: true });
    for (const item of items) {
      if (item.name.startsWith('.')) continue;
      const path = join(directory, item.name);
      if (item.isDirectory()) {
        if (depth === 0) directories.add(item.name);
        await walk(path, depth + 1).catch(() => undefined);
      } else if ((item.isFile() || item.isSymbolicLink()) && item.name.endsWith('.json')) files.push(path);
    }
  };
  await walk(root, 0);
  return files.sort();
}

/**
 * A dashboard file, bare or wrapped in `{"dashboard": …}` (as the API takes it and the seed guides
 * write it). Nothing in the dashboard is changed or checked beyond its title and uid, so panels of any
 * type, classic or current schema, are kept as written.
 */
export function parseDashboardFile(text: string, provider: DashboardProvider, relativePath: string): ParsedFile {
  const value = parseJsonText(text);
  const { dashboard, wrapper } = unwrapDashboard(value);
  const title = typeof dashboard.title === 'string' ? dashboard.title.trim() : '';
  if (title === '') throw new Error('dashboard has no title (Grafana requires one)');
  let explicitUid: string | null = null;
  if (typeof dashboard.uid === 'string' && dashboard.uid !== '') {
    if (!isValidUid(dashboard.uid)) throw new Error(`uid ${JSON.stringify(dashboard.uid)} contains illegal characters (allowed: letters, digits, "-" and "_")`);
    if (dashboard.uid.length > MAX_UID_LENGTH) throw new Error(`uid ${JSON.stringify(dashboard.uid)} is too long (at most ${MAX_UID_LENGTH} characters)`);
    explicitUid = dashboard.uid;
  }
  const slash = relativePath.indexOf('/');
  const folderTitle = provider.foldersFromFilesStructure ? (slash > 0 ? relativePath.slice(0, slash) : '') : provider.folder;
  return { dashboard, wrapper, title, explicitUid, folderTitle };
}

/** Splits `{"dashboard": {...}, ...}` into the dashboard and the rest; a bare dashboard has no wrapper. */
export function unwrapDashboard(value: unknown): { dashboard: Record<string, unknown>; wrapper: Record<string, unknown> | null } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DashboardError(400, 'a dashboard is a JSON object');
  const object = value as Record<string, unknown>;
  const inner = object.dashboard;
  if (typeof inner === 'object' && inner !== null && !Array.isArray(inner) && object.panels === undefined && object.rows === undefined) {
    return { dashboard: inner as Record<string, unknown>, wrapper: object };
  }
  return { dashboard: object, wrapper: null };
}
