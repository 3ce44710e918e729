/**
 * Interim test target for the Alertmanager API interop tests: the API served over HTTP on a minimal
 * notifier (alert store, routing tree, silences, inhibitor) until the dispatcher's facade is wired
 * into Vigil. No dispatching and no notifications: the API's behaviour is what these tests check.
 */
import { serve } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { loadAlertmanagerConfig } from '../../packages/server/src/alerting/config/index.ts';
import { AlertStore } from '../../packages/server/src/alerting/provider/alert-store.ts';
import { prepareAlerts } from '../../packages/server/src/alerting/provider/validate.ts';
import { buildRoutingTree } from '../../packages/server/src/alerting/routes/index.ts';
import { Inhibitor } from '../../packages/server/src/alerting/inhibit/index.ts';
import { Silences } from '../../packages/server/src/alerting/silences/index.ts';
import { fingerprint } from '../../packages/server/src/alerting/types.ts';
import type { Alert } from '../../packages/server/src/alerting/types.ts';
import { mountAlertmanagerApi } from '../../packages/server/src/serve/alertmanager-api.ts';
import type { AlertGroupView, AlertView, AlertmanagerApiSource } from '../../packages/server/src/serve/alertmanager-api.ts';

export interface Harness {
  url: string;
  stop(): Promise<void>;
}

export async function startHarness(configFile: string): Promise<Harness> {
  const { config } = await loadAlertmanagerConfig(configFile);
  const tree = buildRoutingTree(config.route);
  const store = new AlertStore();
  const silences = new Silences();
  const inhibitor = new Inhibitor({ rules: config.inhibitRules, alerts: store });
  const startTime = Date.now();
  const viewOf = (alert: Alert): AlertView => {
    const silencedBy = silences.mutes(alert.labels);
    const inhibitedBy = inhibitor.mutes(alert.labels);
    const suppressed = silencedBy.length > 0 || inhibitedBy.length > 0;
    return {
      alert,
      fingerprint: fingerprint(alert.labels),
      receivers: tree.match(alert.labels).map((route) => route.options.receiver),
      status: { state: suppressed ? 'suppressed' : 'active', silencedBy, inhibitedBy, mutedBy: [] },
    };
  };
  const source: AlertmanagerApiSource = {
    putAlerts(alerts) {
      const now = Date.now();
      const prepared = prepareAlerts(alerts, now, config.global.resolveTimeoutMs);
      store.put(prepared.alerts, now);
      return { errors: prepared.errors };
    },
    alerts: () => store.list().map(viewOf),
    alertGroups(): AlertGroupView[] {
      const groups = new Map<string, AlertGroupView & { alerts: AlertView[] }>();
      for (const alert of store.list()) {
        const view = viewOf(alert);
        for (const route of tree.match(alert.labels)) {
          const groupBy = route.options.groupBy;
          const labels: Record<string, string> = {};
          for (const [name, value] of Object.entries(alert.labels)) if (groupBy === 'all' || groupBy.includes(name)) labels[name] = value;
          const key = `${route.key}:${JSON.stringify(labels)}`;
          let group = groups.get(key);
          if (group === undefined) {
            group = { labels, routeLabels: {}, receiver: route.options.receiver, routeId: route.id, groupKey: key, mutedBy: [], alerts: [] };
            groups.set(key, group);
          }
          group.alerts.push(view);
        }
      }
      return [...groups.values()];
    },
    receivers: () => config.receivers.map((receiver) => ({ name: receiver.name, labels: {} })),
    configText: () => readFileSync(configFile, 'utf8'),
    startTime,
    versionInfo: { version: '0.25.0', revision: 'harness', branch: '', buildUser: '', buildDate: '', goVersion: `node${process.versions.node}` },
    silences,
  };
  const app = new Hono();
  mountAlertmanagerApi(app, { source: () => source });
  const server = await new Promise<ServerType>((resolve) => {
    const started: ServerType = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      inhibitor.stop();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
