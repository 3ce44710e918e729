import { formatFloat } from '../model/index.ts';
import type { Labels } from '../model/index.ts';
import type { QueryValue } from '../query/promql/value.ts';
import { goJson } from './response.ts';

/**
 * Query results as Prometheus's API writes them, byte for byte: sample values as strings in Go's
 * shortest formatting (`"1"`, `"0.1"`, `"NaN"`, `"+Inf"`, `"1e-07"`), sample timestamps as seconds
 * with the milliseconds always written out (`1435781451.781`, `1.500`), labels in their sorted order.
 */

/** A sample value as Prometheus's JSON encoder writes it (Go `'f'` format, `'e'` below 1e-6 and from 1e21). */
export function formatSampleValue(value: number): string {
  if (value !== value) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // JavaScript switches to exponent notation at the same bounds as Go's encoder; Go writes at
  // least two exponent digits.
  const text = String(value);
  return text.indexOf('e') < 0 ? text : text.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** A sample timestamp (ms) as Prometheus writes it: seconds, and `.mmm` whenever the ms are not 0. */
export function formatTimestamp(ms: number): string {
  let t = Math.trunc(ms);
  let sign = '';
  if (t < 0) {
    sign = '-';
    t = -t;
  }
  const fraction = t % 1000;
  const seconds = (t - fraction) / 1000;
  return fraction === 0 ? `${sign}${seconds}` : `${sign}${seconds}.${String(fraction).padStart(3, '0')}`;
}

/** A timestamp of a scalar or string result: Go's encoding of float64(t)/1000. */
function formatPlainTimestamp(ms: number): string {
  return JSON.stringify(ms / 1000);
}

export function labelsJson(labels: Labels): string {
  let out = '{';
  for (let i = 0; i < labels.length; i += 2) {
    if (i > 0) out += ',';
    out += `${JSON.stringify(labels[i])}:${JSON.stringify(labels[i + 1])}`;
  }
  return out + '}';
}

/**
 * A whole successful query answer, `{"status":"success","data":{…}<tail>}`, as UTF-8 bytes, where
 * `tail` is JSON text such as `,"warnings":[…]`. A range query's answer can hold millions of points:
 * they are written straight into one byte buffer with the envelope (numbers are ASCII), never into
 * one large string, which costs V8 far more in garbage collection, nor copied again to wrap them.
 */
export function queryAnswerBytes(value: QueryValue, tail = ''): Uint8Array {
  const out = new JsonBytes();
  out.ascii('{"status":"success","data":');
  writeData(out, value);
  out.text(tail);
  out.ascii('}');
  return out.bytes();
}

function writeData(out: JsonBytes, value: QueryValue): void {
  out.ascii(`{"resultType":"${value.type}","result":`);
  switch (value.type) {
    case 'scalar':
      out.ascii(`[${formatPlainTimestamp(value.timestamp)},"${formatFloat(value.value, 'f', -1)}"]`);
      break;
    case 'string':
      out.text(goJson(`[${formatPlainTimestamp(value.timestamp)},${JSON.stringify(value.value)}]`));
      break;
    case 'vector': {
      out.ascii('[');
      const samples = value.samples;
      for (let i = 0; i < samples.length; i++) {
        const sample = samples[i];
        if (i > 0) out.ascii(',');
        out.ascii('{"metric":');
        out.text(goJson(labelsJson(sample.labels)));
        out.ascii(',"value":[');
        out.timestamp(sample.timestamp);
        out.sampleValue(sample.value);
        out.ascii(']}');
      }
      out.ascii(']');
      break;
    }
    case 'matrix': {
      out.ascii('[');
      for (let s = 0; s < value.series.length; s++) {
        const series = value.series[s];
        if (s > 0) out.ascii(',');
        out.ascii('{"metric":');
        out.text(goJson(labelsJson(series.labels)));
        const { timestamps, values } = series;
        // Go omits an empty `values` (omitempty), leaving only the metric.
        if (timestamps.length > 0) {
          out.ascii(',"values":[');
          for (let i = 0; i < timestamps.length; i++) {
            out.ascii(i > 0 ? ',[' : '[');
            out.timestamp(timestamps[i]);
            out.sampleValue(values[i]);
            out.ascii(']');
          }
          out.ascii(']');
        }
        out.ascii('}');
      }
      out.ascii(']');
      break;
    }
  }
  out.ascii('}');
}

const encoder = new TextEncoder();

/** A growing UTF-8 byte buffer with the few writes JSON answers need. */
class JsonBytes {
  private buffer = new Uint8Array(1 << 14);
  private length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const next = new Uint8Array(Math.max(this.buffer.length * 2, this.length + extra));
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  /** Text known to be ASCII (JSON punctuation and numbers). */
  ascii(text: string): void {
    this.ensure(text.length);
    const buffer = this.buffer;
    let at = this.length;
    for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i);
    this.length = at;
  }

  /** Any text, encoded as UTF-8. */
  text(text: string): void {
    this.ensure(text.length * 3);
    this.length += encoder.encodeInto(text, this.buffer.subarray(this.length)).written;
  }

  /** A sample timestamp (ms) as `formatTimestamp` writes it, without making a string. */
  timestamp(ms: number): void {
    this.ensure(24);
    const buffer = this.buffer;
    let t = Math.trunc(ms);
    if (t < 0) {
      buffer[this.length++] = 0x2d;
      t = -t;
    }
    const fraction = t % 1000;
    const seconds = (t - fraction) / 1000;
    // Whole seconds in two parts below 1e9, so the digit loops run on 32-bit integers (today's
    // timestamps, ~1.8e9 s, are not small integers to V8 and made this the costliest step of an answer).
    const high = Math.floor(seconds / 1e9);
    if (high >= 1e9) {
      this.ascii(String(seconds));
    } else if (high > 0) {
      this.digits(high, 0);
      this.digits(seconds - high * 1e9, 9);
    } else {
      this.digits(seconds, 0);
    }
    if (fraction !== 0) {
      buffer[this.length] = 0x2e;
      buffer[this.length + 1] = 0x30 + Math.floor(fraction / 100);
      buffer[this.length + 2] = 0x30 + (Math.floor(fraction / 10) % 10);
      buffer[this.length + 3] = 0x30 + (fraction % 10);
      this.length += 4;
    }
  }

  /** The decimal digits of an integer in [0, 1e9), left-padded with zeros to `width`. */
  private digits(value: number, width: number): void {
    let rest = value | 0;
    let count = 1;
    for (let power = 10; power <= rest; power *= 10) count++;
    if (count < width) count = width;
    const buffer = this.buffer;
    let at = this.length + count;
    this.length = at;
    for (let i = 0; i < count; i++) {
      const next = (rest / 10) | 0;
      buffer[--at] = 0x30 + rest - next * 10;
      rest = next;
    }
  }

  /**
   * `,"<value>"` as formatSampleValue writes it. Whole numbers (counters, gauges of counts) are
   * written digit by digit without making a string; the rest go through formatSampleValue.
   */
  sampleValue(value: number): void {
    if (Number.isInteger(value) && value > -1e15 && value < 1e15 && !(value === 0 && 1 / value < 0)) {
      this.ensure(20);
      const buffer = this.buffer;
      buffer[this.length++] = 0x2c;
      buffer[this.length++] = 0x22;
      let rest = value;
      if (rest < 0) {
        buffer[this.length++] = 0x2d;
        rest = -rest;
      }
      let digits = 1;
      for (let power = 10; power <= rest; power *= 10) digits++;
      let at = this.length + digits;
      this.length = at;
      do {
        buffer[--at] = 0x30 + (rest % 10);
        rest = Math.floor(rest / 10);
      } while (rest > 0);
      buffer[this.length++] = 0x22;
      return;
    }
    this.ascii(',"');
    this.ascii(formatSampleValue(value));
    this.ascii('"');
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}
