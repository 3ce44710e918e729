/**
 * Scrape ingest CPU, Vigil vs Prometheus 2.42:
 *   node --import tsx bench/scrape-cpu.ts [--quick] [--only=vigil|prometheus] [--seconds=S] [--rounds=N]
 *
 * Serves 10 in-process HTTP targets (one node:http server per port on 127.0.0.1), each a pre-rendered
 * Prometheus text exposition of 1,000 series (the workload's 10-label series minus instance/job, which
 * the scraper adds) — 10k series in all; each target rotates through 4 pre-rendered bodies so values
 * change between scrapes. Each server in turn scrapes all targets every 1 s (--rounds times each, 2;
 * 1 with --quick, in A B B A order, each round on a fresh server); after a warm-up the
 * server's utime+stime (/proc/PID/stat) and its prometheus_tsdb_head_samples_appended_total are read
 * at the start and end of a measured window. Reports CPU seconds per million appended samples.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { commandLine, finish, log, makeTempDir, numberFlag, parseArgs, runBench, sleep } from './lib/common.ts';
import type { BenchResult, Headline } from './lib/common.ts';
import { cpuSeconds, metricSum, startServer, stopServer } from './lib/servers.ts';
import type { SystemName } from './lib/servers.ts';
import { ValueGenerator, familyName, kindOfFamily, seriesLabels, SERIES_PER_TARGET } from './lib/workload.ts';

const args = parseArgs();
const TARGETS = numberFlag(args, 'targets', 10);
const WARMUP_S = args.quick ? 8 : 15;
const MEASURE_S = numberFlag(args, 'seconds', args.quick ? 30 : 120);
const ROUNDS = numberFlag(args, 'rounds', args.quick ? 1 : 2);
const VARIANTS = 4;

function renderBodies(target: number): Buffer[] {
  const values = new ValueGenerator((target + 1) * SERIES_PER_TARGET);
  const bodies: string[] = Array.from({ length: VARIANTS }, () => '');
  let currentFamily = -1;
  for (let i = target * SERIES_PER_TARGET; i < (target + 1) * SERIES_PER_TARGET; i++) {
    const family = Math.floor((i % SERIES_PER_TARGET) / 10);
    const labels = seriesLabels(i).filter(([n]) => n !== 'instance' && n !== 'job');
    const header =
      family !== currentFamily
        ? `# HELP ${familyName(family)} Generated family ${family}.\n# TYPE ${familyName(family)} ${kindOfFamily(family) === 'intCounter' || kindOfFamily(family) === 'floatCounter' ? 'counter' : 'gauge'}\n`
        : '';
    currentFamily = family;
    const series = `${labels[0][1]}{${labels.slice(1).map(([n, v]) => `${n}="${v}"`).join(',')}}`;
    for (let v = 0; v < VARIANTS; v++) bodies[v] += `${header}${series} ${values.valueAt(i, v)}\n`;
  }
  return bodies.map((b) => Buffer.from(b));
}

interface Measured {
  system: SystemName;
  round: number;
  appended: number;
  cpu: number;
  wall: number;
  scrapes: number;
}

await runBench('scrape-cpu', 15 * 60_000, async () => {
  const started = Date.now();
  const servers: Server[] = [];
  const ports: number[] = [];
  let served = 0;
  let bodyBytes = 0;
  try {
    for (let t = 0; t < TARGETS; t++) {
      const bodies = renderBodies(t);
      bodyBytes += bodies[0].length;
      let n = 0;
      const server = createServer((req, res) => {
        served++;
        const body = bodies[n++ % VARIANTS];
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': body.length });
        res.end(body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      ports.push(typeof address === 'object' && address !== null ? address.port : 0);
      servers.push(server);
    }
    log(`${TARGETS} targets × ${SERIES_PER_TARGET} series on ports ${ports.join(', ')} (${(bodyBytes / TARGETS / 1024).toFixed(0)} KiB per body)`);
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 15s',
      'scrape_configs:',
      '  - job_name: bench',
      '    static_configs:',
      `      - targets: [${ports.map((p) => `'127.0.0.1:${p}'`).join(', ')}]`,
      '',
    ].join('\n');

    const systems: SystemName[] = args.only === null ? ['prometheus', 'vigil'] : [args.only];
    // Rounds in A B B A order (then A B B A again), each on a fresh server: a drift in the machine's
    // background load over the run weighs on both systems alike instead of on whichever ran last.
    const order: SystemName[] = [];
    for (let round = 0; round < ROUNDS; round++) order.push(...(round % 2 === 0 ? systems : systems.toReversed()));
    const results: Measured[] = [];
    for (const [index, system] of order.entries()) {
      const root = makeTempDir(`scrape-${system}-${index}`);
      const server = await startServer({ system, dataDir: join(root, 'data'), config, logFile: join(root, 'server.log'), heapMiB: 4096 });
      try {
        await sleep(WARMUP_S * 1000);
        const appended0 = await metricSum(server, 'prometheus_tsdb_head_samples_appended_total');
        const cpu0 = cpuSeconds(server.pid);
        const served0 = served;
        const t0 = performance.now();
        await sleep(MEASURE_S * 1000);
        const cpu = cpuSeconds(server.pid) - cpu0;
        const wall = (performance.now() - t0) / 1000;
        const scrapes = served - served0;
        const appended = (await metricSum(server, 'prometheus_tsdb_head_samples_appended_total')) - appended0;
        log(`${system}: ${scrapes} scrapes, ${appended} samples appended, cpu ${cpu.toFixed(2)} s in ${wall.toFixed(1)} s`);
        results.push({ system, round: results.filter((r) => r.system === system).length + 1, appended, cpu, wall, scrapes });
      } finally {
        await stopServer(server);
      }
    }

    // All rounds of a system together: total CPU over total samples.
    const perMillion = (system: SystemName) => {
      const rounds = results.filter((r) => r.system === system);
      const appended = rounds.reduce((sum, r) => sum + r.appended, 0);
      return appended === 0 ? null : rounds.reduce((sum, r) => sum + r.cpu, 0) / (appended / 1e6);
    };
    const v = perMillion('vigil');
    const p = perMillion('prometheus');
    const headline: Headline[] = [{ metric: 'scrape CPU per million samples', unit: 'CPU s', vigil: v, prometheus: p, target: '≤ Prometheus', met: v === null || p === null ? null : v <= p }];
    const expectedScrapes = TARGETS * MEASURE_S;
    const notes: string[] = [];
    for (const r of results) {
      if (r.scrapes < expectedScrapes * 0.95) notes.push(`${r.system}: only ${r.scrapes} scrapes in the window, ${expectedScrapes} expected at 1 s`);
      const perScrape = r.appended / Math.max(1, r.scrapes);
      if (perScrape < SERIES_PER_TARGET * 0.99) notes.push(`${r.system}: ${perScrape.toFixed(0)} samples appended per scrape, expected ≥ ${SERIES_PER_TARGET}`);
    }
    const result: BenchResult = {
      bench: 'scrape-cpu',
      title: 'Scrape ingest CPU',
      quick: args.quick,
      command: commandLine('scrape-cpu', args),
      workload: `${TARGETS} targets × ${SERIES_PER_TARGET.toLocaleString('en-US')} series (${(TARGETS * SERIES_PER_TARGET).toLocaleString('en-US')} series, 10 labels after target labels, ${(bodyBytes / TARGETS / 1024).toFixed(0)} KiB text bodies, uncompressed) scraped every 1 s; per round and system a fresh server, ${WARMUP_S} s warm-up, then a ${MEASURE_S} s window; ${ROUNDS} round(s) in A B B A order, the headline is total CPU over total samples of a system's rounds. CPU = server utime+stime; samples = the server's own prometheus_tsdb_head_samples_appended_total (includes up, scrape_* series).`,
      columns: ['system', 'round', 'scrapes served', 'samples appended', 'window s', 'samples/s', 'CPU s', 'CPU s per 1M samples', 'CPU % of one core'],
      rows: results.map((r) => [r.system, r.round, r.scrapes, r.appended, r.wall, r.appended / r.wall, r.cpu, r.cpu / (r.appended / 1e6), (r.cpu / r.wall) * 100]),
      headline,
      notes,
      startedAt: new Date(started).toISOString(),
      seconds: (Date.now() - started) / 1000,
    };
    finish(args, result);
  } finally {
    for (const server of servers) server.close();
  }
});
