import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../config/index.ts';
import { parseProvisioningFile } from './provisioning-config.ts';

test('Grafana provisioning files: providers with folders, intervals and options', () => {
  process.env.VIGIL_TEST_DASHBOARDS = '/srv/dashboards';
  const providers = parseProvisioningFile(
    `apiVersion: 1
providers:
  - name: default
    orgId: 1
    folder: Services
    folderUid: services
    type: file
    disableDeletion: false
    updateIntervalSeconds: 30
    allowUiUpdates: true
    options:
      path: \${VIGIL_TEST_DASHBOARDS}
  - name: relative
    options:
      path: ./more
      foldersFromFilesStructure: true
`,
    '/etc/vigil/provisioning/dashboards.yaml',
  );
  assert.deepEqual(providers, [
    { name: 'default', kind: 'provisioned', path: '/srv/dashboards', folder: 'Services', folderUid: 'services', allowUiUpdates: true, foldersFromFilesStructure: false, updateIntervalMs: 30_000, origin: '/etc/vigil/provisioning/dashboards.yaml:3:5' },
    { name: 'relative', kind: 'provisioned', path: '/etc/vigil/provisioning/more', folder: '', folderUid: undefined, allowUiUpdates: false, foldersFromFilesStructure: true, updateIntervalMs: 10_000, origin: '/etc/vigil/provisioning/dashboards.yaml:13:5' },
  ]);
});

test('provisioning file mistakes name file:line:col', () => {
  const check = (text: string, expected: string[]) =>
    assert.throws(
      () => parseProvisioningFile(text, 'p.yaml'),
      (error: unknown) => error instanceof ConfigError && JSON.stringify(error.lines) === JSON.stringify(expected),
    );
  check('providers:\n  - name: x\n    type: sql\n    options: {path: /d}\n', ['p.yaml:3:11: provider type "sql" is not supported (only "file")']);
  check('providers:\n  - name: x\n', ['p.yaml:2:5: providers[0] needs options.path']);
  check('providers:\n  - name: x\n    updateIntervalSeconds: soon\n    options: {path: /d}\n', ['p.yaml:3:28: updateIntervalSeconds must be a positive number']);
  check('providers:\n  - name: x\n    options: {path: /d}\n  - name: x\n    options: {path: /e}\n', ['p.yaml:4:11: provider name "x" is used twice']);
  check('providers: [\n', ['p.yaml:2:1: yaml: Flow sequence in block collection must be sufficiently indented and end with a ]']);
  assert.deepEqual(parseProvisioningFile('', 'p.yaml'), []);
});
