// Exposition parser throughput on a node_exporter-like body of ~10k series, in both text formats.
//
//   node --import tsx bench/exposition-parse.ts [seconds-per-case]
//
// Rates are per CPU second of this process (GC included), best and mean of ~100 ms rounds.
// Two access patterns per format:
//   hot:  next() + seriesText() + value + timestamp — the scrape loop's path when the series is cached
//   full: hot + labels() for every sample — the path for a first scrape / cache miss
import { EntryKind, ExpositionParser } from '../packages/server/src/ingest/scrape/exposition/index.ts';
import type { ExpositionFormat } from '../packages/server/src/ingest/scrape/exposition/index.ts';

const secondsPerCase = Number(process.argv[2] ?? 1.5);

function family(lines: string[], om: boolean, name: string, type: string, help: string): void {
  const t = om && type === 'untyped' ? 'unknown' : type;
  if (om) {
    lines.push(`# TYPE ${name} ${t}`, `# HELP ${name} ${help}`);
  } else {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${t}`);
  }
}

/** Deterministic pseudo-random values shaped like node_exporter's. */
function makeValue(i: number): string {
  switch (i % 5) {
    case 0:
      return String(i * 7919);
    case 1:
      return ((i * 104729) / 1000).toFixed(2);
    case 2:
      return (i * 1234.5678).toExponential(6).replace(/e\+?(-?)(\d)$/, 'e+0$2').replace('e+0-', 'e-0');
    case 3:
      return String((i % 97) / 97);
    default:
      return '0';
  }
}

function nodeExporterBody(om: boolean): { body: string; samples: number } {
  const lines: string[] = [];
  let samples = 0;
  let n = 0;
  const counter = (base: string): string => (om ? `${base}_total` : `${base}_total`);
  const push = (series: string): void => {
    lines.push(`${series} ${makeValue(n++)}`);
    samples++;
  };

  family(lines, om, 'node_cpu_seconds', 'counter', 'Seconds the CPUs spent in each mode.');
  for (let cpu = 0; cpu < 128; cpu++) {
    for (const mode of ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user']) {
      push(`${counter('node_cpu_seconds')}{cpu="${cpu}",mode="${mode}"}`);
    }
  }
  const devices: string[] = [];
  for (let i = 0; i < 64; i++) devices.push(i < 32 ? `eth${i}` : `veth${(i * 2654435761) % 0xffffff}`);
  for (const metric of ['receive_bytes', 'transmit_bytes', 'receive_packets', 'transmit_packets', 'receive_errs', 'transmit_errs', 'receive_drop', 'transmit_drop']) {
    family(lines, om, `node_network_${metric}`, 'counter', `Network device statistic ${metric}.`);
    for (const device of devices) push(`${counter(`node_network_${metric}`)}{device="${device}"}`);
  }
  const mounts: string[] = [];
  for (let i = 0; i < 200; i++) mounts.push(i === 0 ? '/' : `/var/lib/kubelet/pods/${(i * 40503).toString(16)}-volume/mount`);
  for (const metric of ['avail_bytes', 'free_bytes', 'size_bytes', 'files', 'files_free', 'readonly', 'device_error']) {
    family(lines, om, `node_filesystem_${metric}`, 'gauge', `Filesystem ${metric.replace('_', ' ')}.`);
    mounts.forEach((mountpoint, i) => push(`node_filesystem_${metric}{device="/dev/sd${String.fromCharCode(97 + (i % 26))}${i % 8}",fstype="ext4",mountpoint="${mountpoint}"}`));
  }
  for (const metric of ['reads_completed', 'writes_completed', 'read_bytes', 'written_bytes', 'io_time_seconds', 'read_time_seconds', 'write_time_seconds']) {
    family(lines, om, `node_disk_${metric}`, 'counter', `Disk statistic ${metric}.`);
    for (let d = 0; d < 48; d++) push(`${counter(`node_disk_${metric}`)}{device="nvme${d >> 3}n${d & 7}"}`);
  }
  family(lines, om, 'node_scrape_collector_duration_seconds', 'histogram', 'Collector duration.');
  const buckets = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];
  for (let c = 0; c < 40; c++) {
    for (const le of buckets) push(`node_scrape_collector_duration_seconds_bucket{collector="c${c}",le="${le}"}`);
    push(`node_scrape_collector_duration_seconds_sum{collector="c${c}"}`);
    push(`node_scrape_collector_duration_seconds_count{collector="c${c}"}`);
  }
  family(lines, om, 'go_gc_duration_seconds', 'summary', 'A summary of the pause duration of garbage collection cycles.');
  for (const q of ['0', '0.25', '0.5', '0.75', '1']) push(`go_gc_duration_seconds{quantile="${q}"}`);
  push('go_gc_duration_seconds_sum');
  push('go_gc_duration_seconds_count');
  family(lines, om, 'node_interrupts', 'counter', 'Interrupt details.');
  for (let i = 0; lines.length < 10300; i++) {
    push(`${counter('node_interrupts')}{cpu="${i % 128}",devices="pci-${i >> 7}",info="IR-PCI-MSI edge",type="${i >> 7}"}`);
  }
  for (const name of ['node_load1', 'node_load5', 'node_load15', 'node_boot_time_seconds', 'go_goroutines']) {
    family(lines, om, name, 'gauge', `${name} value.`);
    push(name);
  }
  if (om) lines.push('# EOF');
  // Decode from bytes as the scrape loop does: a flat string, not a concatenation (cons) string.
  return { body: new TextDecoder().decode(Buffer.from(`${lines.join("\n")}\n`)), samples };
}

function runHot(body: string, format: ExpositionFormat): number {
  const p = new ExpositionParser(body, format);
  let samples = 0;
  let keyLength = 0;
  let sum = 0;
  for (let k = p.next(); k !== 0; k = p.next()) {
    if (k !== EntryKind.Series) continue;
    keyLength += p.seriesText().length;
    sum += p.value;
    if (p.timestamp !== undefined) sum++;
    samples++;
  }
  if (keyLength < 0 || sum === -1) throw new Error('unreachable');
  return samples;
}

function runFull(body: string, format: ExpositionFormat): number {
  const p = new ExpositionParser(body, format);
  const labels: string[] = [];
  let samples = 0;
  let count = 0;
  for (let k = p.next(); k !== 0; k = p.next()) {
    if (k !== EntryKind.Series) continue;
    p.seriesText();
    labels.length = 0;
    p.labels(labels);
    count += labels.length;
    samples++;
  }
  if (count < 0) throw new Error('unreachable');
  return samples;
}

/** CPU time of this process in ms (steadier than wall time on a shared machine). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function measure(label: string, body: string, format: ExpositionFormat, run: (b: string, f: ExpositionFormat) => number): void {
  // Warm up so that the optimizing compiler has settled.
  const warmupEnd = performance.now() + 300;
  while (performance.now() < warmupEnd) run(body, format);
  // Rounds of ~100 ms of CPU time; the best round is the steadiest figure, the mean is reported too.
  let best = 0;
  let samples = 0;
  let passes = 0;
  const wallEnd = performance.now() + secondsPerCase * 1000;
  const cpuStart = cpuMs();
  let cpu = cpuStart;
  while (performance.now() < wallEnd) {
    const roundStart = cpu;
    let roundSamples = 0;
    while (cpu - roundStart < 100) {
      roundSamples += run(body, format);
      passes++;
      cpu = cpuMs();
    }
    samples += roundSamples;
    best = Math.max(best, roundSamples / ((cpu - roundStart) / 1000));
  }
  const seconds = (cpu - cpuStart) / 1000;
  const mean = samples / seconds;
  const sampleBytes = body.length / run(body, format);
  console.log(
    `${label.padEnd(26)} best ${(best / 1e6).toFixed(2).padStart(5)} M samples/s (${((best * sampleBytes) / 1e6).toFixed(0).padStart(3)} MB/s)` +
      `  mean ${(mean / 1e6).toFixed(2).padStart(5)} M/s  ${((seconds * 1000) / passes).toFixed(2).padStart(6)} ms/scrape  (${passes} passes)`,
  );
}

for (const format of ['text', 'openmetrics'] as const) {
  const { body, samples } = nodeExporterBody(format === 'openmetrics');
  console.log(`\n${format}: ${samples} samples, ${(body.length / 1024).toFixed(0)} KiB`);
  measure(`${format} hot`, body, format, runHot);
  measure(`${format} full (labels)`, body, format, runFull);
}
