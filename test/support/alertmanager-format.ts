/**
 * Test support: Alertmanager's notification formats rebuilt from its Go source, independently of
 * Vigil's receivers, so tests can compare what Vigil sends byte for byte. Go's encoding/json (map
 * keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped, a newline after the value from
 * json.Encoder), time.Time's RFC 3339 with trimmed nanoseconds, the label-set fingerprint (FNV-1a
 * 64 over sorted names and values with 0xff separators), url.QueryEscape and Prometheus's table link.
 */

/** A JSON value whose keys keep their order (Go struct fields), or a sorted map (`goMap`). */
export type GoValue = string | number | boolean | null | GoValue[] | GoObject;
export interface GoObject {
  readonly entries: readonly (readonly [string, GoValue])[];
}

/** A Go struct: fields in declaration order. */
export function goStruct(entries: readonly (readonly [string, GoValue])[]): GoObject {
  return { entries };
}

/** A Go map[string]string: encoding/json sorts its keys. */
export function goMap(record: Readonly<Record<string, string>>): GoObject {
  return { entries: Object.keys(record).sort().map((key) => [key, record[key]] as const) };
}

function goString(text: string): string {
  let out = '"';
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (character === '"') out += '\\"';
    else if (character === '\\') out += '\\\\';
    else if (character === '\n') out += '\\n';
    else if (character === '\r') out += '\\r';
    else if (character === '\t') out += '\\t';
    else if (code < 0x20 || character === '<' || character === '>' || character === '&' || code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += character;
  }
  return `${out}"`;
}

/** encoding/json's Marshal with HTML escaping (what json.NewEncoder writes, without its newline). */
export function goJson(value: GoValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('encoding/json cannot encode NaN or Inf');
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  return `{${(value as GoObject).entries.map(([key, item]) => `${goString(key)}:${goJson(item)}`).join(',')}}`;
}

/** time.Time as encoding/json writes it: RFC 3339 with nanoseconds, trailing zeros trimmed, UTC as Z. */
export function goTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d*?)0*Z$/, (_match, digits: string) => (digits === '' ? 'Z' : `.${digits}Z`));
}

/** Go's zero time.Time, as encoding/json writes it. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

const FNV_OFFSET = 14695981039346656037n;
const FNV_PRIME = 1099511628211n;
const MASK = (1n << 64n) - 1n;

/** Alertmanager's alert fingerprint (model.LabelSet.Fingerprint) as its 16 hex digits. */
export function labelsFingerprint(labels: Readonly<Record<string, string>>): string {
  let hash = FNV_OFFSET;
  const add = (bytes: Uint8Array) => {
    for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK;
  };
  const encoder = new TextEncoder();
  const separator = Uint8Array.of(0xff);
  for (const name of Object.keys(labels).sort()) {
    add(encoder.encode(name));
    add(separator);
    add(encoder.encode(labels[name]));
    add(separator);
  }
  return hash.toString(16).padStart(16, '0');
}

/** Go's url.QueryEscape. */
export function goQueryEscape(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const character = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(character)) out += character;
    else if (character === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Prometheus's generator URL for a rule's expression (strutil.TableLinkForExpression after the external URL). */
export function generatorUrl(externalURL: string, expression: string): string {
  return `${externalURL}/graph?g0.expr=${goQueryEscape(expression)}&g0.tab=1`;
}

/** A label set as Alertmanager's group key writes it: `{name="value", …}`, names sorted, values Go-quoted. */
export function groupLabelsString(labels: Readonly<Record<string, string>>): string {
  return `{${Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`)
    .join(', ')}}`;
}

export interface NotifiedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  /** ms; undefined is Go's zero time. */
  endsAt: number | undefined;
  generatorURL: string;
}

/** Whether an alert counts as resolved at `now` (its end time has passed). */
function resolvedAt(alert: NotifiedAlert, now: number): boolean {
  return alert.endsAt !== undefined && alert.endsAt <= now;
}

/** template.Data as encoding/json writes it (receiver, status, alerts, group/common labels, external URL). */
function templateData(receiver: string, groupLabels: Record<string, string>, alerts: readonly NotifiedAlert[], externalURL: string, now: number): (readonly [string, GoValue])[] {
  const common = <K extends 'labels' | 'annotations'>(key: K): Record<string, string> => {
    if (alerts.length === 0) return {};
    const out = { ...alerts[0][key] };
    for (const alert of alerts.slice(1)) for (const name of Object.keys(out)) if (alert[key][name] !== out[name]) delete out[name];
    return out;
  };
  const firing = alerts.some((alert) => !resolvedAt(alert, now));
  return [
    ['receiver', receiver],
    ['status', firing ? 'firing' : 'resolved'],
    [
      'alerts',
      alerts.map((alert) =>
        goStruct([
          ['status', resolvedAt(alert, now) ? 'resolved' : 'firing'],
          ['labels', goMap(alert.labels)],
          ['annotations', goMap(alert.annotations)],
          ['startsAt', goTime(alert.startsAt)],
          ['endsAt', alert.endsAt === undefined ? GO_ZERO_TIME : goTime(alert.endsAt)],
          ['generatorURL', alert.generatorURL],
          ['fingerprint', labelsFingerprint(alert.labels)],
        ]),
      ),
    ],
    ['groupLabels', goMap(groupLabels)],
    ['commonLabels', goMap(common('labels'))],
    ['commonAnnotations', goMap(common('annotations'))],
    ['externalURL', externalURL],
  ];
}

/** The webhook receiver's body (notify/webhook Message, version 4), newline included, as Alertmanager posts it. */
export function webhookBody(options: { receiver: string; groupKey: string; groupLabels: Record<string, string>; alerts: readonly NotifiedAlert[]; externalURL: string; now: number; truncatedAlerts?: number }): string {
  const data = templateData(options.receiver, options.groupLabels, options.alerts, options.externalURL, options.now);
  return `${goJson(goStruct([...data, ['version', '4'], ['groupKey', options.groupKey], ['truncatedAlerts', options.truncatedAlerts ?? 0]]))}\n`;
}

/** Decodes a quoted-printable body part (RFC 2045) to text. */
export function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let index = 0; index < joined.length; index++) {
    const character = joined[index];
    if (character === '=' && /^[0-9A-Fa-f]{2}$/.test(joined.slice(index + 1, index + 3))) {
      bytes.push(Number.parseInt(joined.slice(index + 1, index + 3), 16));
      index += 2;
    } else {
      bytes.push(...new TextEncoder().encode(character));
    }
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

/** A MIME message split into its headers (names lower-cased) and its parts by content type (decoded text). */
export function parseMail(raw: string): { headers: Record<string, string>; parts: Record<string, string> } {
  const split = raw.indexOf('\r\n\r\n');
  const headerText = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of headerText.split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const boundary = /boundary=("?)([^";]+)\1/.exec(headers['content-type'] ?? '')?.[2];
  const parts: Record<string, string> = {};
  if (boundary === undefined) return { headers, parts };
  for (const section of raw.slice(split + 4).split(`--${boundary}`).slice(1)) {
    if (section.startsWith('--')) break;
    const end = section.indexOf('\r\n\r\n');
    const partHeaders = section.slice(0, end).toLowerCase();
    const type = /content-type:\s*([^;\r\n]+)/.exec(partHeaders)?.[1] ?? 'text/plain';
    const body = section.slice(end + 4).replace(/\r\n$/, '');
    parts[type] = /content-transfer-encoding:\s*quoted-printable/.test(partHeaders) ? decodeQuotedPrintable(body) : body;
  }
  return { headers, parts };
}
