import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';

/**
 * Writes a file so that readers (and a crash) see either the old or the new content, never a part:
 * a temporary file next to it, flushed to disk, then renamed over it. The temporary name does not end
 * in `.json`, so a folder scan in between never reads it as a dashboard.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'w', 0o644);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Dashboard JSON as Grafana exports it: two-space indentation, keys in the order given, a final newline. */
export function formatDashboardFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A folder title as a directory name: no separators, no `.`/`..`, nothing empty. */
export function folderDirectoryName(title: string): string {
  const name = title.replace(/[/\\\0]/g, '-').trim();
  if (name === '' || name === '.' || name === '..') return '_';
  return name;
}
