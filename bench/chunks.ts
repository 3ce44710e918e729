/**
 * XOR chunk benchmark: encode/decode throughput and bytes per sample for scrape-like data.
 *
 *   node --import tsx bench/chunks.ts [seriesPerKind]
 *
 * Every series is cut into 120-sample chunks as the head does (30 min at 15 s). Bytes per sample
 * counts everything stored for the chunk data (2-byte header, full first timestamp and value).
 */
import { XorAppender, XorIterator, decodeXorChunk } from '../packages/server/src/store/tsdb/chunk/index.ts';

const SAMPLES_PER_CHUNK = 120;
const CHUNKS_PER_SERIES = 8;
const N = SAMPLES_PER_CHUNK * CHUNKS_PER_SERIES;
const seriesPerKind = Number(process.argv[2] ?? 400);

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Timestamp models: 15 s scrapes from one target (shared by all its series). */
const timestampModels: Record<string, (r: () => number, ts: Float64Array) => void> = {
  aligned: (r, ts) => {
    const start = 1_700_000_000_000 + Math.floor(r() * 15_000);
    for (let i = 0; i < ts.length; i++) ts[i] = start + i * 15_000;
  },
  /** Scrape start wall-clock ms: a ticker with sub-millisecond noise, so most deltas are exactly 15000. */
  'jitter<1ms': (r, ts) => {
    const start = 1_700_000_000_000 + r() * 15_000;
    for (let i = 0; i < ts.length; i++) ts[i] = Math.floor(start + i * 15_000 + r() * 0.8);
  },
  'jitter±2ms': (r, ts) => {
    const start = 1_700_000_000_000 + Math.floor(r() * 15_000);
    for (let i = 0; i < ts.length; i++) ts[i] = start + i * 15_000 + Math.round((r() - 0.5) * 4);
  },
  'jitter±10ms': (r, ts) => {
    const start = 1_700_000_000_000 + Math.floor(r() * 15_000);
    for (let i = 0; i < ts.length; i++) ts[i] = start + i * 15_000 + Math.round((r() - 0.5) * 20);
  },
};

/** Value models for typical exporter series. */
const valueModels: Record<string, (r: () => number, vs: Float64Array) => void> = {
  'constant (up, info, idle error counter)': (r, vs) => {
    const v = r() < 0.5 ? 1 : 0;
    vs.fill(v);
  },
  'busy counter (requests_total)': (r, vs) => {
    let v = Math.floor(r() * 1e7);
    for (let i = 0; i < vs.length; i++) {
      vs[i] = v;
      v += Math.floor(r() * 300);
    }
  },
  'slow counter (errors_total)': (r, vs) => {
    let v = Math.floor(r() * 1000);
    for (let i = 0; i < vs.length; i++) {
      vs[i] = v;
      if (r() < 0.05) v += 1;
    }
  },
  'float counter (cpu_seconds_total)': (r, vs) => {
    let v = r() * 1e5;
    for (let i = 0; i < vs.length; i++) {
      vs[i] = Math.round(v * 100) / 100;
      v += r() * 15;
    }
  },
  'bytes gauge (memory, 4 KiB pages)': (r, vs) => {
    let v = 4096 * Math.floor(r() * 1e6);
    for (let i = 0; i < vs.length; i++) {
      vs[i] = v;
      if (r() < 0.3) v += 4096 * Math.floor((r() - 0.5) * 64);
    }
  },
  'histogram bucket counter': (r, vs) => {
    let v = Math.floor(r() * 1e5);
    for (let i = 0; i < vs.length; i++) {
      vs[i] = v;
      v += Math.floor(r() * r() * 20);
    }
  },
  'noisy float gauge (load, ratio)': (r, vs) => {
    for (let i = 0; i < vs.length; i++) vs[i] = r() * 4;
  },
};

/** A node_exporter / app-like mix (weights by series count). */
const mix: Record<string, number> = {
  'constant (up, info, idle error counter)': 0.3,
  'busy counter (requests_total)': 0.1,
  'slow counter (errors_total)': 0.15,
  'float counter (cpu_seconds_total)': 0.1,
  'bytes gauge (memory, 4 KiB pages)': 0.1,
  'histogram bucket counter': 0.2,
  'noisy float gauge (load, ratio)': 0.05,
};

interface Data {
  ts: Float64Array[];
  vs: Float64Array[];
}

function generate(tsModel: string, valueModel: string, count: number, seed: number): Data {
  const r = rng(seed);
  const ts: Float64Array[] = [];
  const vs: Float64Array[] = [];
  for (let s = 0; s < count; s++) {
    const t = new Float64Array(N);
    const v = new Float64Array(N);
    timestampModels[tsModel](r, t);
    valueModels[valueModel](r, v);
    ts.push(t);
    vs.push(v);
  }
  return { ts, vs };
}

function encodeAll(d: Data): { chunks: Uint8Array[]; bytes: number; samples: number } {
  const app = new XorAppender(256);
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let samples = 0;
  for (let s = 0; s < d.ts.length; s++) {
    const t = d.ts[s];
    const v = d.vs[s];
    for (let i = 0; i < N; i++) {
      app.append(t[i], v[i]);
      if (app.count === SAMPLES_PER_CHUNK) {
        const b = app.bytes().slice();
        chunks.push(b);
        bytes += b.length;
        samples += app.count;
        app.reset();
      }
    }
  }
  return { chunks, bytes, samples };
}

function fmtRate(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : `${(n / 1e3).toFixed(0)}k`;
}

const rows: string[][] = [];
const perKindBps = new Map<string, number>();
for (const tsModel of Object.keys(timestampModels)) {
  let mixBytes = 0;
  for (const valueModel of Object.keys(valueModels)) {
    const d = generate(tsModel, valueModel, seriesPerKind, 42);
    const { bytes, samples } = encodeAll(d);
    const bps = bytes / samples;
    perKindBps.set(`${tsModel}|${valueModel}`, bps);
    mixBytes += bps * mix[valueModel];
    if (tsModel === 'jitter<1ms') rows.push([valueModel, bps.toFixed(3)]);
  }
  rows.push([`MIX @ ${tsModel}`, mixBytes.toFixed(3)]);
}

console.log(`XOR chunks, ${SAMPLES_PER_CHUNK} samples/chunk, ${seriesPerKind} series per kind × ${N} samples`);
console.log('\nbytes/sample by value kind (timestamps: jitter<1ms) and for the weighted mix:');
for (const [name, v] of rows) console.log(`  ${name.padEnd(44)} ${v}`);
console.log('\nbytes/sample per timestamp model (rows) and value kind (columns):');
const kinds = Object.keys(valueModels);
console.log(`  ${''.padEnd(12)} ${kinds.map((k) => k.split(' ')[0].slice(0, 9).padStart(9)).join(' ')}`);
for (const tsModel of Object.keys(timestampModels)) {
  console.log(`  ${tsModel.padEnd(12)} ${kinds.map((k) => (perKindBps.get(`${tsModel}|${k}`) ?? 0).toFixed(3).padStart(9)).join(' ')}`);
}

// Throughput on the mix at jitter<1ms.
const mixData: Data = { ts: [], vs: [] };
let seed = 7;
for (const [kind, weight] of Object.entries(mix)) {
  const d = generate('jitter<1ms', kind, Math.max(1, Math.round(seriesPerKind * weight * 4)), seed++);
  mixData.ts.push(...d.ts);
  mixData.vs.push(...d.vs);
}
/** Best rate over several runs (the machine may be shared; the best run is the least disturbed). */
function bestRate(run: () => number, reps = 7): number {
  run();
  let best = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const n = run();
    best = Math.max(best, n / ((performance.now() - t0) / 1000));
  }
  return best;
}

let encoded = encodeAll(mixData);
const encRate = bestRate(() => {
  encoded = encodeAll(mixData);
  return encoded.samples;
});

const it = new XorIterator();
let checksum = 0;
const iterRate = bestRate(() => {
  let n = 0;
  for (const c of encoded.chunks) {
    it.reset(c);
    while (it.next()) {
      checksum += it.value;
      n++;
    }
  }
  return n;
});

const tsBuf = new Float64Array(SAMPLES_PER_CHUNK);
const vsBuf = new Float64Array(SAMPLES_PER_CHUNK);
const bulkRate = bestRate(() => {
  let m = 0;
  for (const c of encoded.chunks) m += decodeXorChunk(c, tsBuf, vsBuf, 0);
  return m;
});

console.log(`\nthroughput on the mix (${encoded.samples} samples, ${encoded.chunks.length} chunks):`);
console.log(`  encode (XorAppender.append)      ${fmtRate(encRate)} samples/s`);
console.log(`  decode (XorIterator.next)        ${fmtRate(iterRate)} samples/s`);
console.log(`  decode (decodeXorChunk)          ${fmtRate(bulkRate)} samples/s`);
if (checksum === 42) console.log('');
