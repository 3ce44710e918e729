import { resolve } from 'node:path';
import { parseDuration } from '../model/index.ts';
import { Vigil } from '../vigil.ts';
import { UsageError, formatHelp, parseFlags } from './flags.ts';
import type { FlagSpec, ParsedFlags } from './flags.ts';

const FLAGS: FlagSpec[] = [
  { name: 'config.file', help: 'Prometheus configuration file. Without it Vigil runs a built-in config that scrapes itself.' },
  { name: 'storage.tsdb.path', help: 'Base path for metrics storage.', default: 'data/' },
  { name: 'storage.tsdb.retention.time', help: 'How long to retain samples in storage (units: y, w, d, h, m, s, ms).', default: '15d' },
  { name: 'storage.tsdb.retention.size', help: 'Maximum bytes of storage blocks to retain, e.g. 512MB, 10GB; 0 disables.', default: '0' },
  { name: 'web.listen-address', help: 'Address to listen on for the UI, API and telemetry.', default: '0.0.0.0:9090' },
  { name: 'web.external-url', help: 'The URL under which Vigil is reached from outside: links in alerts (generatorURL) and $externalURL in templates (default: the listen URL).' },
  { name: 'log.level', help: 'Only log messages with the given severity or above: debug, info, warn, error.', default: 'info' },
  { name: 'web.enable-remote-write-receiver', help: 'Accepted for compatibility; the remote-write receiver is always on.', boolean: true },
  { name: 'web.enable-lifecycle', help: 'Accepted for compatibility; /-/reload is always on.', boolean: true },
  { name: 'web.enable-admin-api', help: 'Enable the TSDB admin endpoints (delete series, clean tombstones, snapshot).', boolean: true },
  { name: 'query.lookback-delta', help: 'How far back an instant vector selector looks for a sample (and /federate for the latest one).', default: '5m' },
  { name: 'query.timeout', help: 'Maximum time a query may take before it is aborted.', default: '2m' },
  { name: 'query.max-concurrency', help: 'Maximum number of queries evaluated at the same time; more wait.', default: '20' },
  { name: 'query.max-samples', help: 'Maximum number of samples a single query may load into memory at once.', default: '50000000' },
  { name: 'rules.alert.for-outage-tolerance', help: "Max time to tolerate an outage when restoring the 'for' state of alerts.", default: '1h' },
  { name: 'rules.alert.for-grace-period', help: "Minimum duration between an alert and its restored 'for' state; kept only for alerts with 'for' longer than this.", default: '10m' },
  { name: 'rules.alert.resend-delay', help: 'Minimum time to wait before resending an alert to Alertmanager.', default: '1m' },
  { name: 'alertmanager.notification-queue-capacity', help: 'The capacity of the queue for pending Alertmanager notifications.', default: '10000' },
  { name: 'alertmanager.config.file', help: 'alertmanager.yml: runs the Alertmanager inside Vigil (API v2 under /api/v2) with this configuration. Off without it.' },
  { name: 'alertmanager.storage.path', help: 'Folder for the Alertmanager state: alerts, notification log, silences, group timings and history (default: <storage.tsdb.path>/alertmanager).' },
  { name: 'alertmanager.data.retention', help: 'How long to keep notification-log entries and expired silences, as Alertmanager\'s --data.retention.', default: '120h' },
  { name: 'alertmanager.history.retention', help: 'How long to keep the history of alert transitions and notification attempts.', default: '15d' },
  { name: 'alertmanager.silences.max-silences', help: 'Most silences kept, expired ones included, as Alertmanager\'s --silences.max-silences (0: no limit).', default: '0' },
  { name: 'alertmanager.silences.max-silence-size-bytes', help: 'Largest silence in bytes, as Alertmanager\'s --silences.max-silence-size-bytes (0: no limit).', default: '0' },
  { name: 'dashboards.path', help: 'A folder of Grafana dashboard JSON files, or a Grafana dashboard provisioning file (.yml/.yaml), re-read on change; repeatable.', multiple: true },
  { name: 'dashboards.save-path', help: 'Folder where dashboards saved through the UI or API are written as JSON files (default: <storage.tsdb.path>/dashboards).' },
];

export async function startCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS, false);
  if (values.help === true) {
    process.stdout.write(formatHelp('vigil start [<flags>]', 'Runs the Vigil server: scraping, remote-write ingestion, storage, rules, the Alertmanager, dashboards, the HTTP API and the web UI.', FLAGS));
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const level = String(values['log.level']);
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UsageError(`--log.level must be one of debug, info, warn, error (got ${JSON.stringify(level)})`);
  let retentionMs: number;
  try {
    retentionMs = parseDuration(String(values['storage.tsdb.retention.time']));
  } catch (error) {
    throw new UsageError(`--storage.tsdb.retention.time: ${(error as Error).message}`);
  }
  const retentionBytes = parseByteSize(String(values['storage.tsdb.retention.size']));
  const query = {
    lookbackDeltaMs: durationFlag(values, 'query.lookback-delta'),
    timeoutMs: durationFlag(values, 'query.timeout'),
    maxConcurrency: positiveIntegerFlag(values, 'query.max-concurrency'),
    maxSamples: positiveIntegerFlag(values, 'query.max-samples'),
  };
  const flags: Record<string, string> = {};
  for (const spec of FLAGS) flags[spec.name] = String(values[spec.name] ?? '');
  const configFile = values['config.file'] === undefined ? undefined : resolve(String(values['config.file']));

  const vigil = await Vigil.start({
    configFile,
    dataDir: resolve(String(values['storage.tsdb.path'])),
    retentionMs,
    retentionBytes,
    listenAddress: String(values['web.listen-address']),
    logLevel: level as 'info',
    flags,
    query,
    enableAdminApi: values['web.enable-admin-api'] === true,
    rules: {
      externalURL: values['web.external-url'] === undefined ? undefined : String(values['web.external-url']).replace(/\/+$/, ''),
      outageToleranceMs: durationFlag(values, 'rules.alert.for-outage-tolerance'),
      forGracePeriodMs: durationFlag(values, 'rules.alert.for-grace-period'),
      resendDelayMs: durationFlag(values, 'rules.alert.resend-delay'),
      notificationQueueCapacity: positiveIntegerFlag(values, 'alertmanager.notification-queue-capacity'),
    },
    dashboards: {
      paths: (values['dashboards.path'] as string[] | undefined) ?? [],
      savePath: values['dashboards.save-path'] === undefined ? undefined : resolve(String(values['dashboards.save-path'])),
    },
    alertmanager:
      values['alertmanager.config.file'] === undefined
        ? undefined
        : {
            configFile: resolve(String(values['alertmanager.config.file'])),
            storagePath: values['alertmanager.storage.path'] === undefined ? undefined : resolve(String(values['alertmanager.storage.path'])),
            retentionMs: durationFlag(values, 'alertmanager.data.retention'),
            historyRetentionMs: durationFlag(values, 'alertmanager.history.retention'),
            maxSilences: nonNegativeIntegerFlag(values, 'alertmanager.silences.max-silences'),
            maxSilenceSizeBytes: nonNegativeIntegerFlag(values, 'alertmanager.silences.max-silence-size-bytes'),
          },
  });
  process.on('SIGHUP', () => {
    vigil.reload().catch(() => {
      // Already logged with the reason; the previous config stays in force.
    });
  });
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      vigil.log.info({ signal }, 'shutting down');
      vigil.stop().then(done, (error: unknown) => {
        vigil.log.error({ err: (error as Error).message }, 'shutdown failed');
        done();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

function durationFlag(values: ParsedFlags['values'], name: string): number {
  try {
    return parseDuration(String(values[name]));
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`);
  }
}

function positiveIntegerFlag(values: ParsedFlags['values'], name: string): number {
  const text = String(values[name]);
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--${name} must be a positive integer (got ${JSON.stringify(text)})`);
  return Number(text);
}

function nonNegativeIntegerFlag(values: ParsedFlags['values'], name: string): number {
  const text = String(values[name]);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`--${name} must be a whole number, 0 or more (got ${JSON.stringify(text)})`);
  return Number(text);
}

const UNITS: Record<string, number> = { B: 1, KB: 1 << 10, MB: 1 << 20, GB: 1 << 30, TB: 2 ** 40, PB: 2 ** 50, EB: 2 ** 60 };

/** Parses Prometheus's byte sizes (`512MB`, `10GB`, `0`); units are powers of 1024 as in Prometheus. */
export function parseByteSize(text: string): number {
  if (text === '0') return 0;
  const match = /^(\d+)(B|KB|MB|GB|TB|PB|EB)$/.exec(text);
  if (match === null) throw new UsageError(`invalid byte size ${JSON.stringify(text)} (expected a number with a unit: B, KB, MB, GB, TB, PB, EB)`);
  return Number(match[1]) * UNITS[match[2]];
}
