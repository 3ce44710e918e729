import { createHash } from 'node:crypto';

/** Grafana's limit on a dashboard uid. */
export const MAX_UID_LENGTH = 40;

/** Grafana's allowed uid characters (`util.IsValidShortUID`). */
export function isValidUid(uid: string): boolean {
  return /^[a-zA-Z0-9_-]*$/.test(uid);
}

/**
 * A uid for a dashboard that has none (the seed files have none), derived from its title and where it
 * came from (a provisioned file's path relative to its provider folder, or the folder it was saved
 * into), so a restart or a re-import gives the same uid and links keep working. Readable: the title's
 * letters and digits, then eight hex digits of a hash that tells apart equal titles from other sources.
 */
export function derivedUid(title: string, source: string): string {
  const hash = createHash('sha256').update(source).update('\0').update(title).digest('hex').slice(0, 8);
  const words = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_UID_LENGTH - hash.length - 1)
    .replace(/^-+|-+$/g, '');
  return words === '' ? hash : `${words}-${hash}`;
}
