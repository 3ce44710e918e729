/**
 * JSON text as Go's encoding/json Encoder writes it, so request bodies match Alertmanager's byte for
 * byte: objects keep the order they are built in (Go writes struct fields in declaration order, so
 * each notifier builds its objects in that order), `<`, `>`, `&`, U+2028 and U+2029 are escaped as
 * \u003c…, and the Encoder ends the text with a newline.
 */

/** A Go map: encoding/json writes its keys sorted. */
export function sortedRecord<Value>(record: Readonly<Record<string, Value>>): Record<string, Value> {
  const sorted: Record<string, Value> = {};
  for (const key of Object.keys(record).sort(compareBytes)) sorted[key] = record[key];
  return sorted;
}

/** Go compares map keys as byte strings; UTF-16 order differs from it only above the BMP. */
function compareBytes(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}

const htmlEscapes: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * `json.NewEncoder(w).Encode(value)`: HTML-safe escaping and a trailing newline. The characters
 * replaced never occur in JSON syntax outside strings, so replacing them in the whole text is safe.
 */
export function goJsonEncode(value: unknown): string {
  return `${goJsonMarshal(value)}\n`;
}

/** `json.Marshal(value)`: HTML-safe escaping, no trailing newline. */
export function goJsonMarshal(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (character) => htmlEscapes[character]);
}

/** Go's time.Time MarshalJSON (RFC 3339 with nanoseconds, trailing zeros dropped) for a UTC time in ms; 0 is Go's zero time. */
export function goTimeJson(milliseconds: number): string {
  if (milliseconds === 0) return '0001-01-01T00:00:00Z';
  const iso = new Date(milliseconds).toISOString();
  // toISOString always prints milliseconds; Go drops a zero fraction and trailing zeros.
  return iso.replace(/\.(\d*?)0*Z$/, (_match, digits: string) => (digits === '' ? 'Z' : `.${digits}Z`));
}
