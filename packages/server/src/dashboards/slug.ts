import { createHash } from 'node:crypto';

/**
 * Grafana's dashboard slug (`pkg/infra/slugify`): lower case; letters a–z, digits, `_` and `-` kept;
 * a space becomes `-`; a few punctuation marks are dropped; common accented letters are spelled
 * plainly; any other character becomes the hex of its UTF-8 bytes. A slug longer than 50 bytes, or an
 * empty one, is replaced by a name-based (SHA-1, OID namespace) UUID of the title, so it is still stable.
 */
export function grafanaSlug(title: string): string {
  let slug = '';
  for (const character of title.trim().toLowerCase()) {
    const replacement = REPLACEMENTS.get(character);
    if (replacement !== undefined) slug += replacement;
    else if (/^[a-z0-9_-]$/.test(character)) slug += character;
    else if (OMITTED.has(character)) continue;
    else for (const byte of Buffer.from(character, 'utf8')) slug += byte.toString(16);
  }
  if (slug.length > 50 || slug === '') return uuidV5(OID_NAMESPACE, title);
  return slug;
}

const OMITTED = new Set([',', '"', "'", '\n', '\r', '\0', '?', '.', '(', ')']);

/** Spelled-out forms Grafana uses for common symbols and Latin letters with diacritics. */
const REPLACEMENTS = new Map<string, string>([
  [' ', '-'],
  ['&', 'and'],
  ['@', 'at'],
  ['©', 'c'],
  ['®', 'r'],
  ['™', 'tm'],
  ['ß', 'ss'],
  ['æ', 'ae'],
  ['œ', 'oe'],
  ['ü', 'ue'],
  ...spread('àáâäåāăąǎǻãả', 'a'),
  ...spread('çćĉċč', 'c'),
  ...spread('ďđ', 'd'),
  ...spread('èéêëēĕėęěə', 'e'),
  ...spread('ĝğġģ', 'g'),
  ...spread('ĥħ', 'h'),
  ...spread('ìíîïĩīĭįıǐ', 'i'),
  ...spread('ĵ', 'j'),
  ...spread('ķĸ', 'k'),
  ...spread('ĺļľŀł', 'l'),
  ...spread('ńņňŉŋ', 'n'),
  ...spread('òóôõöøōŏőơǒǿ', 'o'),
  ...spread('ŕŗř', 'r'),
  ...spread('śŝşš', 's'),
  ...spread('ţťŧ', 't'),
  ...spread('ùúûũūŭůűųưǔǖǘǚǜ', 'u'),
  ...spread('ŵ', 'w'),
  ...spread('ýÿŷ', 'y'),
  ...spread('źżž', 'z'),
]);

function spread(characters: string, replacement: string): [string, string][] {
  return [...characters].map((character) => [character, replacement]);
}

/** RFC 4122's namespace for ISO OIDs, the one Grafana's slugs use. */
const OID_NAMESPACE = '6ba7b812-9dad-11d1-80b4-00c04fd430c8';

/** A name-based UUID (version 5, SHA-1), as Go's `uuid.NewSHA1`. */
export function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
