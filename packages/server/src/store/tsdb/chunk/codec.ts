import type { SampleIterator } from '../../types.ts';
import { DecimalIterator, encodeDecimalChunk } from './decimal.ts';
import { XorIterator, decodeXorChunk, xorChunkSampleCount } from './xor.ts';

/** Chunk encodings, as the byte stored before each chunk in a block. Codes are only ever added. */
export const ChunkEncoding = { XOR: 1, Decimal: 2 } as const;
export type ChunkEncoding = (typeof ChunkEncoding)[keyof typeof ChunkEncoding];

export function isKnownEncoding(encoding: number): encoding is ChunkEncoding {
  return encoding === ChunkEncoding.XOR || encoding === ChunkEncoding.Decimal;
}

/** Iterates a chunk of any encoding; reusable through `reset`. */
export class ChunkIterator implements SampleIterator {
  private readonly xor = new XorIterator();
  private readonly decimal = new DecimalIterator();
  /** Branching on a flag keeps every call site monomorphic (no call through an interface). */
  private isDecimal = false;

  reset(encoding: number, bytes: Uint8Array): this {
    if (encoding === ChunkEncoding.Decimal) {
      this.decimal.reset(bytes);
      this.isDecimal = true;
    } else if (encoding === ChunkEncoding.XOR) {
      this.xor.reset(bytes);
      this.isDecimal = false;
    } else {
      throw new Error(`unknown chunk encoding ${encoding}`);
    }
    return this;
  }

  next(): boolean {
    return this.isDecimal ? this.decimal.next() : this.xor.next();
  }

  seek(t: number): boolean {
    return this.isDecimal ? this.decimal.seek(t) : this.xor.seek(t);
  }

  readInto(maxt: number, timestamps: Float64Array, values: Float64Array, offset: number): number {
    return this.isDecimal ? this.decimal.readInto(maxt, timestamps, values, offset) : this.xor.readInto(maxt, timestamps, values, offset);
  }

  /** Whether every sample of the chunk has been read. */
  get exhausted(): boolean {
    return this.isDecimal ? this.decimal.exhausted : this.xor.exhausted;
  }

  get timestamp(): number {
    return this.isDecimal ? this.decimal.timestamp : this.xor.timestamp;
  }

  get value(): number {
    return this.isDecimal ? this.decimal.value : this.xor.value;
  }
}

export function chunkSampleCount(encoding: number, bytes: Uint8Array): number {
  if (encoding === ChunkEncoding.XOR) return xorChunkSampleCount(bytes);
  if (encoding === ChunkEncoding.Decimal) return (bytes[0] << 8) | bytes[1];
  throw new Error(`unknown chunk encoding ${encoding}`);
}

const decimalIterator = new DecimalIterator();

/** Decodes a chunk of any encoding into the arrays from index `at`; returns the sample count. */
export function decodeChunk(encoding: number, bytes: Uint8Array, timestamps: Float64Array, values: Float64Array, at: number): number {
  if (encoding === ChunkEncoding.XOR) return decodeXorChunk(bytes, timestamps, values, at);
  if (encoding !== ChunkEncoding.Decimal) throw new Error(`unknown chunk encoding ${encoding}`);
  const it = decimalIterator.reset(bytes);
  if (at < 0 || at + it.length > timestamps.length || at + it.length > values.length) {
    throw new RangeError(`decodeChunk: ${it.length} samples do not fit at index ${at}`);
  }
  return it.readInto(Infinity, timestamps, values, at);
}

let scratchT = new Float64Array(256);
let scratchV = new Float64Array(256);

/**
 * The smallest encoding of an XOR chunk for long-term storage in a block: the decimal form when it
 * applies and is smaller, else the chunk unchanged.
 */
export function compactChunk(encoding: number, bytes: Uint8Array): { encoding: ChunkEncoding; bytes: Uint8Array } {
  if (encoding !== ChunkEncoding.XOR) return { encoding: encoding as ChunkEncoding, bytes };
  const count = xorChunkSampleCount(bytes);
  if (count < 2) return { encoding: ChunkEncoding.XOR, bytes };
  if (count > scratchT.length) {
    scratchT = new Float64Array(count);
    scratchV = new Float64Array(count);
  }
  decodeXorChunk(bytes, scratchT, scratchV, 0);
  const decimal = encodeDecimalChunk(scratchT, scratchV, 0, count);
  if (decimal !== null && decimal.length < bytes.length) return { encoding: ChunkEncoding.Decimal, bytes: decimal };
  return { encoding: ChunkEncoding.XOR, bytes };
}
