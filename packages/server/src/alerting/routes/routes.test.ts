import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAlertmanagerConfig } from '../config/index.ts';
import { buildRoutingTree, formatMatchingTree, formatRoutingTree } from './index.ts';

const CONFIG = `
route:
  receiver: default
  group_by: [alertname]
  group_wait: 10s
  routes:
    - matchers: ['severity="critical"', 'team=~"db|api"']
      receiver: pager
      group_by: ['...']
      continue: true
      routes:
        - match: {env: prod}
          receiver: pager-prod
          repeat_interval: 30m
          mute_time_intervals: [nights]
        - match_re: {env: "stag.*"}
    - match: {severity: critical}
      receiver: critical-mail
      group_interval: 1m
    - receiver: catch-all
      group_by: []
      active_time_intervals: [nights]
receivers: [{name: default}, {name: pager}, {name: pager-prod}, {name: critical-mail}, {name: catch-all}]
time_intervals:
  - name: nights
    time_intervals: [{times: [{start_time: '00:00', end_time: '06:00'}]}]
`;

const root = buildRoutingTree(parseAlertmanagerConfig(CONFIG, 'alertmanager.yml').config.route);

describe('routing tree', () => {
  const cases: [Record<string, string>, string[]][] = [
    [{}, ['catch-all']],
    [{ severity: 'critical' }, ['critical-mail']],
    [{ severity: 'critical', team: 'db' }, ['pager', 'critical-mail']],
    [{ severity: 'critical', team: 'db', env: 'prod' }, ['pager-prod', 'critical-mail']],
    [{ severity: 'critical', team: 'api', env: 'staging' }, ['pager', 'critical-mail']],
    [{ severity: 'critical', team: 'web' }, ['critical-mail']],
    [{ severity: 'warning', team: 'db' }, ['catch-all']],
  ];
  for (const [labels, receivers] of cases) {
    it(`routes ${JSON.stringify(labels)}`, () => assert.deepEqual(root.match(labels).map((route) => route.options.receiver), receivers));
  }

  it('computes keys and ids as Alertmanager does', () => {
    const [pagerProd, criticalMail] = root.match({ severity: 'critical', team: 'db', env: 'prod' });
    assert.equal(pagerProd.key, '{}/{severity="critical",team=~"db|api"}/{env="prod"}');
    assert.equal(pagerProd.id, '{}/{severity="critical",team=~"db|api"}/0/{env="prod"}/0');
    assert.equal(criticalMail.key, '{}/{severity="critical"}');
    assert.equal(criticalMail.id, '{}/{severity="critical"}/1');
    const [staging] = root.match({ severity: 'critical', team: 'db', env: 'stage' });
    assert.equal(staging.key, '{}/{severity="critical",team=~"db|api"}/{env=~"^(?:stag.*)$"}');
    assert.equal(root.key, '{}');
    assert.equal(root.id, '{}');
  });

  it('inherits options from the parent', () => {
    const [pagerProd, criticalMail] = root.match({ severity: 'critical', team: 'db', env: 'prod' });
    assert.deepEqual(pagerProd.options, {
      receiver: 'pager-prod',
      groupBy: 'all',
      groupWait: 10_000,
      groupInterval: 300_000,
      repeatInterval: 1_800_000,
      muteTimeIntervals: ['nights'],
      activeTimeIntervals: [],
    });
    assert.deepEqual(criticalMail.options, {
      receiver: 'critical-mail',
      groupBy: ['alertname'],
      groupWait: 10_000,
      groupInterval: 60_000,
      repeatInterval: 14_400_000,
      muteTimeIntervals: [],
      activeTimeIntervals: [],
    });
    const [staging] = root.match({ severity: 'critical', team: 'db', env: 'stage' });
    assert.equal(staging.options.receiver, 'pager', 'an empty receiver inherits');
    assert.deepEqual(staging.options.muteTimeIntervals, [], 'time intervals are not inherited');
    const [catchAll] = root.match({});
    assert.deepEqual(catchAll.options.groupBy, ['alertname'], 'group_by: [] inherits');
    assert.deepEqual(catchAll.options.activeTimeIntervals, ['nights']);
  });

  it('uses the defaults at the root', () => {
    const bare = buildRoutingTree(parseAlertmanagerConfig('route: {receiver: r}\nreceivers: [{name: r}]\n', 'a.yml').config.route);
    assert.deepEqual(bare.options, {
      receiver: 'r',
      groupBy: [],
      groupWait: 30_000,
      groupInterval: 300_000,
      repeatInterval: 14_400_000,
      muteTimeIntervals: [],
      activeTimeIntervals: [],
    });
    assert.deepEqual(
      bare.match({ any: 'thing' }).map((route) => route.id),
      ['{}'],
    );
  });

  it('numbers routes children first', () => {
    const order: [string, number][] = [];
    root.walk((route) => order.push([route.options.receiver, route.index]));
    assert.deepEqual(order, [
      ['default', 5],
      ['pager', 2],
      ['pager-prod', 0],
      ['pager', 1],
      ['critical-mail', 3],
      ['catch-all', 4],
    ]);
  });

  it('prints the tree as amtool does', () => {
    assert.equal(
      formatRoutingTree(root),
      [
        'Routing tree:',
        '.',
        '└── default-route  receiver: default',
        '    ├── {severity="critical",team=~"db|api"}  continue: true  receiver: pager',
        '    │\u00a0\u00a0 ├── {env="prod"}  receiver: pager-prod',
        '    │\u00a0\u00a0 └── {env=~"^(?:stag.*)$"}  receiver: pager',
        '    ├── {severity="critical"}  receiver: critical-mail',
        '    └── default-route  receiver: catch-all',
        '',
        '',
      ].join('\n'),
    );
    assert.equal(
      formatMatchingTree(root, { severity: 'critical', team: 'db', env: 'prod' }),
      [
        'Matching routes:',
        '.',
        '└── default-route',
        '    ├── {severity="critical",team=~"db|api"}',
        '    │\u00a0\u00a0 └── {env="prod"}  receiver: pager-prod',
        '    └── {severity="critical"}  receiver: critical-mail',
        '',
        '',
        '',
      ].join('\n'),
    );
  });
});
