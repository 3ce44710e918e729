import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { labelsFromRecord, labelsToRecord } from '../model/labels.ts';
import { relabel } from '../model/relabel.ts';
import { ConfigError, defaultConfig, loadConfigFile, parseConfig } from './index.ts';

const DIR = '/etc/prom';
const FILE = `${DIR}/prometheus.yml`;

function parse(text: string) {
  return parseConfig(text, FILE);
}

function errorOf(text: string): string {
  try {
    parse(text);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`expected an error for:\n${text}`);
}

describe('parseConfig defaults', () => {
  it('an empty file is the default config', () => {
    const cfg = parse('');
    assert.equal(cfg.global.scrapeIntervalMs, 60_000);
    assert.equal(cfg.global.scrapeTimeoutMs, 10_000);
    assert.equal(cfg.global.evaluationIntervalMs, 60_000);
    assert.deepEqual(cfg.global.externalLabels, {});
    assert.equal(cfg.global.scrapeProtocols, undefined);
    assert.deepEqual(cfg.scrapeConfigs, []);
    assert.deepEqual(cfg.ruleFiles, []);
    assert.equal(cfg.storage.exemplars.maxExemplars, 100_000);
    assert.equal(cfg.tracing, undefined);
    assert.equal(cfg.original, '');
  });

  it('an empty global block keeps the defaults', () => {
    const cfg = parse('global:\n');
    assert.equal(cfg.global.scrapeIntervalMs, 60_000);
    const cfg2 = parse('global: {}\n');
    assert.equal(cfg2.global.evaluationIntervalMs, 60_000);
  });

  it('fills scrape config defaults as Prometheus does', () => {
    const cfg = parse('scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [h:1]\n');
    const sc = cfg.scrapeConfigs[0];
    assert.equal(sc.jobName, 'a');
    assert.equal(sc.metricsPath, '/metrics');
    assert.equal(sc.scheme, 'http');
    assert.equal(sc.honorLabels, false);
    assert.equal(sc.honorTimestamps, true);
    assert.equal(sc.trackTimestampsStaleness, false);
    assert.equal(sc.enableCompression, true);
    assert.equal(sc.scrapeIntervalMs, 60_000);
    assert.equal(sc.scrapeTimeoutMs, 10_000);
    assert.deepEqual(sc.scrapeProtocols, ['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4']);
    assert.equal(sc.http.followRedirects, true);
    assert.equal(sc.http.enableHttp2, true);
    assert.equal(sc.http.authorization, undefined);
    assert.deepEqual(sc.staticConfigs, [{ targets: ['h:1'], labels: {}, source: '0' }]);
    assert.equal(sc.sourceFile, FILE);
    assert.equal(sc.alwaysScrapeClassicHistograms, false);
  });

  it('keeps the original text', () => {
    const text = '# comment\nglobal:\n  scrape_interval: 5s\n';
    assert.equal(parse(text).original, text);
  });
});

describe('inheritance from global', () => {
  it('interval, timeout and limits inherit; timeout defaults to min(global timeout, interval)', () => {
    const cfg = parse(`
global:
  scrape_interval: 30s
  scrape_timeout: 20s
  sample_limit: 100
  label_limit: 7
  body_size_limit: 10MB
  keep_dropped_targets: 3
scrape_configs:
  - job_name: inherit
  - job_name: fast
    scrape_interval: 5s
  - job_name: own
    scrape_interval: 1m
    scrape_timeout: 45s
    sample_limit: 5
`);
    const [inherit, fast, own] = cfg.scrapeConfigs;
    assert.equal(inherit.scrapeIntervalMs, 30_000);
    assert.equal(inherit.scrapeTimeoutMs, 20_000);
    assert.equal(inherit.sampleLimit, 100);
    assert.equal(inherit.labelLimit, 7);
    assert.equal(inherit.bodySizeLimitBytes, 10 * 1024 * 1024);
    assert.equal(inherit.keepDroppedTargets, 3);
    assert.equal(fast.scrapeIntervalMs, 5_000);
    assert.equal(fast.scrapeTimeoutMs, 5_000);
    assert.equal(own.scrapeTimeoutMs, 45_000);
    assert.equal(own.sampleLimit, 5);
  });

  it('global timeout defaults to min(10s, global interval)', () => {
    assert.equal(parse('global:\n  scrape_interval: 4s\n').global.scrapeTimeoutMs, 4_000);
  });

  it('scrape_protocols: job, then global, then proto-first when native histograms are on', () => {
    const cfg = parse(`
global:
  scrape_protocols: [PrometheusText0.0.4]
scrape_configs:
  - job_name: a
  - job_name: b
    scrape_protocols: [OpenMetricsText1.0.0, PrometheusProto]
`);
    assert.deepEqual(cfg.scrapeConfigs[0].scrapeProtocols, ['PrometheusText0.0.4']);
    assert.deepEqual(cfg.scrapeConfigs[1].scrapeProtocols, ['OpenMetricsText1.0.0', 'PrometheusProto']);
    const native = parse('scrape_configs:\n  - job_name: a\n    scrape_native_histograms: true\n');
    assert.equal(native.scrapeConfigs[0].scrapeProtocols[0], 'PrometheusProto');
  });

  it('accepts the 2.x scrape_classic_histograms spelling', () => {
    const cfg = parse('scrape_configs:\n  - job_name: a\n    scrape_classic_histograms: true\n');
    assert.equal(cfg.scrapeConfigs[0].alwaysScrapeClassicHistograms, true);
  });
});

describe('values and conversions', () => {
  it('converts durations, sizes, external labels and env references', () => {
    process.env.VIGIL_TEST_REGION = 'eu-1';
    const cfg = parse(`
global:
  scrape_interval: 1m30s
  evaluation_interval: 2h
  body_size_limit: 1.5KB
  external_labels:
    region: \${VIGIL_TEST_REGION}
    cost: $$5
    version: 1.10
    enabled: yes
`);
    assert.equal(cfg.global.scrapeIntervalMs, 90_000);
    assert.equal(cfg.global.evaluationIntervalMs, 7_200_000);
    assert.equal(cfg.global.bodySizeLimitBytes, 1536);
    assert.deepEqual(cfg.global.externalLabels, { cost: '$5', enabled: 'yes', region: 'eu-1', version: '1.10' });
  });

  it('reads YAML 1.1 booleans as go-yaml v2 does', () => {
    const cfg = parse('scrape_configs:\n  - job_name: a\n    honor_labels: yes\n    honor_timestamps: off\n');
    assert.equal(cfg.scrapeConfigs[0].honorLabels, true);
    assert.equal(cfg.scrapeConfigs[0].honorTimestamps, false);
  });

  it('numeric job names and label values keep their text', () => {
    const cfg = parse('scrape_configs:\n  - job_name: 2024\n    static_configs:\n      - targets: [h:1]\n        labels: {v: 1.0, n: 007}\n');
    assert.equal(cfg.scrapeConfigs[0].jobName, '2024');
    assert.deepEqual(cfg.scrapeConfigs[0].staticConfigs[0].labels, { v: '1.0', n: '007' });
  });

  it('supports anchors, aliases and merge keys', () => {
    const cfg = parse(`
scrape_configs:
  - &base
    job_name: a
    scrape_interval: 20s
    static_configs: [{targets: [h:1]}]
  - <<: *base
    job_name: b
`);
    assert.equal(cfg.scrapeConfigs[1].jobName, 'b');
    assert.equal(cfg.scrapeConfigs[1].scrapeIntervalMs, 20_000);
  });

  it('coalesces static configs and numbers their sources', () => {
    const cfg = parse('scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [a:1]\n      - targets: [b:1, c:1]\n        labels: {env: prod}\n');
    assert.deepEqual(cfg.scrapeConfigs[0].staticConfigs, [
      { targets: ['a:1'], labels: {}, source: '0' },
      { targets: ['b:1', 'c:1'], labels: { env: 'prod' }, source: '1' },
    ]);
  });

  it('resolves relative paths against the config directory', () => {
    const cfg = parse(`
global:
  query_log_file: q.log
rule_files: [rules/*.yml, /abs/r.yml]
scrape_config_files: [jobs/*.yml]
scrape_configs:
  - job_name: a
    file_sd_configs:
      - files: [sd/*.json, /abs/x.yml]
    basic_auth: {username: u, password_file: secrets/pw}
    tls_config: {ca_file: ca.pem, cert_file: c.pem, key_file: /k.pem}
  - job_name: b
    bearer_token_file: tok
  - job_name: c
    authorization: {credentials_file: cred}
`);
    assert.equal(cfg.global.queryLogFile, `${DIR}/q.log`);
    assert.deepEqual(cfg.ruleFiles, [`${DIR}/rules/*.yml`, '/abs/r.yml']);
    assert.deepEqual(cfg.scrapeConfigFiles, [`${DIR}/jobs/*.yml`]);
    const [a, b, c] = cfg.scrapeConfigs;
    assert.deepEqual(a.fileSdConfigs, [{ files: [`${DIR}/sd/*.json`, '/abs/x.yml'], refreshIntervalMs: 300_000 }]);
    assert.deepEqual(a.http.basicAuth, { username: 'u', passwordFile: `${DIR}/secrets/pw` });
    assert.equal(a.http.tlsConfig.caFile, `${DIR}/ca.pem`);
    assert.equal(a.http.tlsConfig.certFile, `${DIR}/c.pem`);
    assert.equal(a.http.tlsConfig.keyFile, '/k.pem');
    assert.deepEqual(b.http.authorization, { type: 'Bearer', credentialsFile: `${DIR}/tok` });
    assert.deepEqual(c.http.authorization, { type: 'Bearer', credentialsFile: `${DIR}/cred` });
  });

  it('legacy bearer_token becomes a Bearer authorization', () => {
    const cfg = parse('scrape_configs:\n  - job_name: a\n    bearer_token: s3cret\n');
    assert.deepEqual(cfg.scrapeConfigs[0].http.authorization, { type: 'Bearer', credentials: 's3cret' });
  });

  it('builds relabel configs that run', () => {
    const cfg = parse(`
scrape_configs:
  - job_name: a
    relabel_configs:
      - source_labels: [__address__]
        regex: '([^:]+):\\d+'
        target_label: host
      - action: labeldrop
        regex: __tmp.*
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: go_.*
        action: drop
`);
    const sc = cfg.scrapeConfigs[0];
    assert.equal(sc.relabelConfigs[0].separator, ';');
    assert.equal(sc.relabelConfigs[0].replacement, '$1');
    assert.equal(sc.relabelConfigs[0].action, 'replace');
    const out = relabel(labelsFromRecord({ __address__: 'web:80', __tmp_x: '1' }), sc.relabelConfigs);
    assert.deepEqual(labelsToRecord(out ?? []), { __address__: 'web:80', host: 'web' });
    assert.equal(relabel(labelsFromRecord({ __name__: 'go_gc' }), sc.metricRelabelConfigs), null);
  });

  it('parses alerting, remote write/read, storage, tracing, runtime and otlp', () => {
    const cfg = parse(`
runtime:
  gogc: 50
alerting:
  alert_relabel_configs:
    - action: labeldrop
      regex: replica
  alertmanagers:
    - scheme: https
      path_prefix: /am
      timeout: 5s
      api_version: v2
      basic_auth: {username: u, password: p}
      static_configs:
        - targets: [am:9093]
remote_write:
  - url: http://remote/api/v1/write
    name: primary
    remote_timeout: 10s
    headers: {X-Scope-OrgID: team}
    write_relabel_configs:
      - source_labels: [__name__]
        regex: expensive.*
        action: drop
    queue_config:
      max_shards: 10
    metadata_config:
      send: false
remote_read:
  - url: http://remote/api/v1/read
    read_recent: true
    required_matchers: {env: prod}
storage:
  tsdb:
    out_of_order_time_window: 30m
    retention:
      time: 15d
  exemplars:
    max_exemplars: 5
tracing:
  endpoint: tempo:4317
  sampling_fraction: 0.5
otlp:
  promote_resource_attributes: [service.name, " k8s.pod "]
`);
    assert.equal(cfg.runtime.gogc, 50);
    const am = cfg.alerting.alertmanagers[0];
    assert.equal(am.scheme, 'https');
    assert.equal(am.pathPrefix, '/am');
    assert.equal(am.timeoutMs, 5_000);
    assert.equal(am.apiVersion, 'v2');
    assert.deepEqual(am.staticConfigs[0].targets, ['am:9093']);
    assert.equal(cfg.alerting.alertRelabelConfigs[0].action, 'labeldrop');
    const rw = cfg.remoteWrite[0];
    assert.equal(rw.remoteTimeoutMs, 10_000);
    assert.equal(rw.queueConfig.maxShards, 10);
    assert.equal(rw.queueConfig.capacity, 10_000);
    assert.equal(rw.queueConfig.minBackoffMs, 30);
    assert.equal(rw.metadataConfig.send, false);
    assert.equal(rw.metadataConfig.sendIntervalMs, 60_000);
    assert.equal(rw.http.enableHttp2, false);
    assert.equal(rw.protobufMessage, 'prometheus.WriteRequest');
    const rr = cfg.remoteRead[0];
    assert.equal(rr.remoteTimeoutMs, 60_000);
    assert.equal(rr.filterExternalLabels, true);
    assert.equal(rr.readRecent, true);
    assert.equal(cfg.storage.tsdb.outOfOrderTimeWindowMs, 1_800_000);
    assert.equal(cfg.storage.tsdb.retention.timeMs, 15 * 86_400_000);
    assert.equal(cfg.storage.exemplars.maxExemplars, 5);
    assert.equal(cfg.tracing?.clientType, 'grpc');
    assert.equal(cfg.tracing?.samplingFraction, 0.5);
    assert.deepEqual(cfg.otlp.promoteResourceAttributes, ['service.name', 'k8s.pod']);
  });
});

describe('errors name file:line:column', () => {
  const table: [string, string, string][] = [
    ['unknown top-level key', 'global: {}\nscrape_config:\n  - job_name: a\n', `${FILE}:2:1: field scrape_config not found in the top level of the config (did you mean scrape_configs?)`],
    ['unknown global key', 'global:\n  scrape_intervall: 1m\n', `${FILE}:2:3: field scrape_intervall not found in global (did you mean scrape_interval?)`],
    ['unknown scrape key', 'scrape_configs:\n  - job_name: a\n    foo: bar\n', `${FILE}:3:5: field foo not found in scrape_configs[0]`],
    ['unknown static config key', 'scrape_configs:\n  - job_name: a\n    static_configs:\n      - target: [a]\n', `${FILE}:4:9: field target not found in scrape_configs[0].static_configs[0] (did you mean targets?)`],
    ['unsupported SD', 'scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n      - role: pod\n', `${FILE}:3:5: kubernetes_sd_configs is not supported by Vigil yet (supported: static_configs, file_sd_configs)`],
    ['unsupported SD in alertmanagers', 'alerting:\n  alertmanagers:\n    - dns_sd_configs: []\n', `${FILE}:3:7: dns_sd_configs is not supported by Vigil yet (supported: static_configs, file_sd_configs)`],
    ['bad duration', 'global:\n  scrape_interval: 15\n', `${FILE}:2:20: not a valid duration string: "15"`],
    ['bad duration unit order', 'global:\n  evaluation_interval: 1s1m\n', `${FILE}:2:24: not a valid duration string: "1s1m"`],
    ['global timeout > interval', 'global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n', `${FILE}:3:19: global scrape timeout greater than scrape interval`],
    [
      'job timeout > interval',
      'scrape_configs:\n  - job_name: j\n    scrape_interval: 5s\n    scrape_timeout: 10s\n',
      `${FILE}:4:21: scrape timeout greater than scrape interval for scrape config with job name "j"`,
    ],
    ['job timeout > inherited interval', 'global:\n  scrape_interval: 5s\nscrape_configs:\n  - job_name: j\n    scrape_timeout: 6s\n', `${FILE}:5:21: scrape timeout greater than scrape interval for scrape config with job name "j"`],
    ['missing job_name', 'scrape_configs:\n  - metrics_path: /m\n', `${FILE}:2:5: job_name is empty`],
    ['duplicate job_name', 'scrape_configs:\n  - job_name: a\n  - job_name: a\n', `${FILE}:3:15: found multiple scrape configs with job name "a"`],
    ['null scrape config', 'scrape_configs:\n  -\n', `${FILE}:2:4: empty or null scrape config section`],
    ['string for list', 'rule_files: a.yml\n', `${FILE}:1:13: cannot unmarshal !!str \`a.yml\` into a list (at rule_files)`],
    ['list for mapping', 'global: []\n', `${FILE}:1:9: cannot unmarshal !!seq into a mapping (at global)`],
    ['quoted bool', 'scrape_configs:\n  - job_name: a\n    honor_labels: "true"\n', `${FILE}:3:19: cannot unmarshal !!str \`true\` into bool`],
    ['negative uint', 'global:\n  sample_limit: -5\n', `${FILE}:2:17: cannot unmarshal !!int \`-5\` into uint`],
    ['bad size', 'global:\n  body_size_limit: 10kb\n', `${FILE}:2:20: units: unknown unit kb in 10kb`],
    ['url as target', 'scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ["http://h:1/metrics"]\n', `${FILE}:4:19: "http://h:1/metrics" is not a valid hostname`],
    ['bad label name', 'scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [h:1]\n        labels:\n          bad-name: x\n', `${FILE}:6:11: "bad-name" is not a valid label name`],
    ['bad external label name', 'global:\n  external_labels:\n    1x: y\n', `${FILE}:3:5: "1x" is not a valid label name`],
    ['bad relabel action', 'scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: explode\n', `${FILE}:4:17: unknown relabel action "explode"`],
    ['bad relabel regex', 'scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - regex: "(a"\n        target_label: x\n', `${FILE}:4:16: error parsing regexp: missing closing ): \`^(?s:(a)$\``],
    ['relabel missing target', 'scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [a]\n', `${FILE}:4:9: relabel configuration for replace action requires 'target_label' value`],
    ['hashmod without modulus', 'scrape_configs:\n  - job_name: a\n    metric_relabel_configs:\n      - action: hashmod\n        target_label: h\n', `${FILE}:4:9: relabel configuration for hashmod requires non-zero modulus`],
    ['invalid relabel target', 'scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - target_label: "a-b"\n', `${FILE}:4:9: "a-b" is invalid 'target_label' for replace action`],
    ['invalid source label', 'scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [ok, "not ok"]\n        target_label: x\n', `${FILE}:4:29: "not ok" is not a valid label name`],
    ['basic_auth + bearer_token', 'scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    bearer_token: t\n', `${FILE}:2:5: at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured`],
    ['bearer_token + file', 'scrape_configs:\n  - job_name: a\n    bearer_token: t\n    bearer_token_file: f\n', `${FILE}:2:5: at most one of bearer_token & bearer_token_file must be configured`],
    ['authorization + bearer_token', 'scrape_configs:\n  - job_name: a\n    authorization: {credentials: c}\n    bearer_token: t\n', `${FILE}:3:20: authorization is not compatible with bearer_token & bearer_token_file`],
    ['authorization + basic_auth', 'scrape_configs:\n  - job_name: a\n    authorization: {credentials: c}\n    basic_auth: {username: u}\n', `${FILE}:3:20: at most one of basic_auth, oauth2 & authorization must be configured`],
    ['authorization credentials twice', 'scrape_configs:\n  - job_name: a\n    authorization: {credentials: c, credentials_file: f}\n', `${FILE}:3:20: at most one of authorization credentials & credentials_file must be configured`],
    ['authorization type basic', 'scrape_configs:\n  - job_name: a\n    authorization: {type: Basic}\n', `${FILE}:3:27: authorization type cannot be set to "basic", use "basic_auth" instead`],
    ['password twice', 'scrape_configs:\n  - job_name: a\n    basic_auth: {username: u, password: p, password_file: f}\n', `${FILE}:3:17: at most one of basic_auth password, password_file & password_ref must be configured`],
    ['cert without key', 'scrape_configs:\n  - job_name: a\n    tls_config:\n      cert_file: c.pem\n', `${FILE}:4:7: exactly one of key or key_file must be configured when a client certificate is configured`],
    ['bad TLS version', 'scrape_configs:\n  - job_name: a\n    tls_config:\n      min_version: TLS9\n', `${FILE}:4:20: unknown TLS version: TLS9`],
    ['oauth2 without client_id', 'scrape_configs:\n  - job_name: a\n    oauth2: {token_url: http://t}\n', `${FILE}:3:13: oauth2 client_id must be configured`],
    ['no_proxy without proxy_url', 'scrape_configs:\n  - job_name: a\n    no_proxy: x\n', `${FILE}:3:15: if no_proxy is configured, proxy_url must also be configured`],
    ['bad scrape protocol', 'global:\n  scrape_protocols: [PrometheusText9]\n', `${FILE}:2:22: scrape_protocols: unknown scrape protocol PrometheusText9, supported: [OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto PrometheusText0.0.4 PrometheusText1.0.0] for global config`],
    ['bad rule file glob', 'rule_files:\n  - "a*/b.yml"\n', `${FILE}:2:5: invalid rule file path "a*/b.yml"`],
    ['bad file_sd name', 'scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: [targets.txt]\n', `${FILE}:4:17: path name "targets.txt" is not valid for file discovery`],
    ['file_sd without files', 'scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - refresh_interval: 1m\n', `${FILE}:4:9: file service discovery config must contain at least one path name`],
    ['alertmanager api v1', 'alerting:\n  alertmanagers:\n    - api_version: v1\n', `${FILE}:3:20: expected Alertmanager api version to be one of [v2] but got v1`],
    ['remote write without url', 'remote_write:\n  - name: x\n', `${FILE}:2:5: url for remote_write is empty`],
    ['remote write reserved header', 'remote_write:\n  - url: http://x\n    headers:\n      User-Agent: me\n', `${FILE}:4:7: User-Agent is a reserved header. It must not be changed`],
    ['remote write authorization header', 'remote_write:\n  - url: http://x\n    headers:\n      authorization: me\n', `${FILE}:4:7: authorization header must be changed via the basic_auth, authorization, oauth2, sigv4, azuread or google_iam parameter`],
    ['remote write duplicate names', 'remote_write:\n  - url: http://x\n    name: a\n  - url: http://y\n    name: a\n', `${FILE}:5:11: found multiple remote write configs with job name "a"`],
    ['remote write queue shards', 'remote_write:\n  - url: http://x\n    queue_config:\n      max_shards: 0\n', `${FILE}:4:19: remote write queue max_shards must be positive`],
    ['remote read without url', 'remote_read:\n  - read_recent: true\n', `${FILE}:2:5: url for remote_read is empty`],
    ['tracing without endpoint', 'tracing:\n  sampling_fraction: 1\n', `${FILE}:2:3: tracing endpoint must be set`],
    ['tracing bad client', 'tracing:\n  endpoint: x\n  client_type: udp\n', `${FILE}:3:16: expected tracing client type to be to be http or grpc, but got udp`],
    ['otlp both promote forms', 'otlp:\n  promote_all_resource_attributes: true\n  promote_resource_attributes: [a]\n', `${FILE}:2:3: 'promote_all_resource_attributes' and 'promote_resource_attributes' cannot be configured simultaneously`],
    ['retention percentage', 'storage:\n  tsdb:\n    retention:\n      percentage: 101\n', `${FILE}:4:19: 'storage.tsdb.retention.percentage' must be in the range [0, 100], got 101`],
    ['top-level list', '- a\n- b\n', `${FILE}:1:1: cannot unmarshal !!seq into the config: the top level must be a mapping`],
    ['duplicate key', 'global: {}\nglobal: {}\n', `${FILE}:2:1: yaml: Map keys must be unique`],
  ];
  for (const [name, text, expected] of table) {
    it(name, () => assert.equal(errorOf(text), expected));
  }

  it('reports several errors, one per line, in file order', () => {
    const message = errorOf('global:\n  foo: 1\nscrape_configs:\n  - job_name: a\n    bar: 2\n    scrape_interval: nope\n');
    assert.deepEqual(message.split('\n'), [
      `${FILE}:2:3: field foo not found in global`,
      `${FILE}:5:5: field bar not found in scrape_configs[0]`,
      `${FILE}:6:22: not a valid duration string: "nope"`,
    ]);
  });

  it('ConfigError exposes the lines', () => {
    try {
      parse('a: 1\nb: 2\n');
      assert.fail('expected error');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.lines.length, 2);
    }
  });
});

describe('fuzz-ish bad YAML', () => {
  const inputs = [
    'global: [1, 2\n',
    'global:\n  scrape_interval: "15s\n',
    'scrape_configs:\n- job_name: a\n   static_configs: []\n',
    '\t- tab\n',
    'a: *missing\n',
    '{{{{',
    ']]]]',
    'global: !!binary aGVsbG8=\n',
    '---\nglobal: {}\n---\nglobal: {}\n',
    'scrape_configs:\n  - job_name: [a]\n',
    'scrape_configs:\n  - job_name: {a: b}\n',
    '? [complex]\n: key\n',
    'x'.repeat(10) + ': ' + '['.repeat(200),
    '%YAML 9.9\n---\na: 1\n',
    'global:\n  scrape_interval: 99999999999999999999y\n',
    'global:\n  body_size_limit: 99999999999999999999EB\n',
    '"\\u12"',
  ];
  for (const text of inputs) {
    it(`rejects ${JSON.stringify(text).slice(0, 50)} with a positioned ConfigError`, () => {
      const message = errorOf(text);
      for (const line of message.split('\n')) assert.match(line, /^\/etc\/prom\/prometheus\.yml:\d+:\d+: \S/);
    });
  }

  it('random byte soup never throws anything but ConfigError', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const alphabet = ['global:', 'scrape_configs:', '- ', 'job_name: ', '  ', '\n', '[', ']', '{', '}', ':', ',', '"', "'", '&a ', '*a', 'x', '15s', '#', '|', '>', '!!int ', '~'];
    for (let n = 0; n < 400; n++) {
      let text = '';
      const len = Math.floor(rand() * 30);
      for (let i = 0; i < len; i++) text += alphabet[Math.floor(rand() * alphabet.length)];
      try {
        parse(text);
      } catch (error) {
        assert.ok(error instanceof ConfigError, `non-ConfigError for ${JSON.stringify(text)}: ${String(error)}`);
        for (const line of error.message.split('\n')) assert.match(line, /^\/etc\/prom\/prometheus\.yml:\d+:\d+: /);
      }
    }
  });
});

describe('defaultConfig', () => {
  it('scrapes Vigil itself every 15s', () => {
    const cfg = defaultConfig('0.0.0.0:9090');
    assert.equal(cfg.global.scrapeIntervalMs, 15_000);
    assert.equal(cfg.scrapeConfigs.length, 1);
    const sc = cfg.scrapeConfigs[0];
    assert.equal(sc.jobName, 'vigil');
    assert.equal(sc.scrapeIntervalMs, 15_000);
    assert.equal(sc.scrapeTimeoutMs, 10_000);
    assert.deepEqual(sc.staticConfigs[0].targets, ['0.0.0.0:9090']);
    assert.match(cfg.original, /job_name: vigil/);
    assert.deepEqual(defaultConfig(':9090').scrapeConfigs[0].staticConfigs[0].targets, ['localhost:9090']);
  });
});

describe('loadConfigFile', () => {
  it('reads a file, resolves paths next to it and merges scrape_config_files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-config-'));
    await mkdir(join(dir, 'jobs'));
    await writeFile(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 20s\nscrape_config_files: [jobs/*.yml]\nscrape_configs:\n  - job_name: main\n');
    await writeFile(join(dir, 'jobs', 'a.yml'), 'scrape_configs:\n  - job_name: extra\n    file_sd_configs:\n      - files: [t.json]\n');
    const cfg = await loadConfigFile(join(dir, 'prometheus.yml'));
    assert.deepEqual(cfg.scrapeConfigs.map((s) => s.jobName), ['main', 'extra']);
    assert.equal(cfg.scrapeConfigs[1].scrapeIntervalMs, 20_000);
    assert.equal(cfg.scrapeConfigs[1].sourceFile, join(dir, 'jobs', 'a.yml'));
    assert.deepEqual(cfg.scrapeConfigs[1].fileSdConfigs[0].files, [join(resolve(dir), 'jobs', 't.json')]);
  });

  it('rejects a job name repeated in scrape_config_files, naming that file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-config-'));
    await writeFile(join(dir, 'prometheus.yml'), 'scrape_config_files: [more.yml]\nscrape_configs:\n  - job_name: main\n');
    await writeFile(join(dir, 'more.yml'), 'scrape_configs:\n  - job_name: main\n');
    await assert.rejects(loadConfigFile(join(dir, 'prometheus.yml')), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, `${join(dir, 'more.yml')}:2:15: found multiple scrape configs with job name "main", first found in main config file`);
      return true;
    });
  });

  it('a missing file is a ConfigError', async () => {
    await assert.rejects(loadConfigFile('/nonexistent/prometheus.yml'), /\/nonexistent\/prometheus.yml:1:1: open \/nonexistent\/prometheus.yml: no such file or directory/);
  });
});
