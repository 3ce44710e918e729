/**
 * A copy of `value` that shares no memory with the string it was cut from. V8 represents a substring
 * as a slice of its parent, so keeping a label parsed out of a scrape body would keep the whole body
 * alive; anything stored for long (symbols, cache keys) goes through this first. Short strings are
 * copied by V8 anyway.
 */
export function detach(value: string): string {
  return value.length > 12 ? Buffer.from(value, 'utf8').toString('utf8') : value;
}
