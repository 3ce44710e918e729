/** Browser test support: Debian's Chromium through playwright-core, and a Vigil holding seed data. */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import type { Vigil } from '../../packages/server/src/vigil.ts';
import { ROOT, requireBinary, startVigil } from '../support/vigil.ts';
import { appendDashboardData, planDashboardData } from './dashboard-data.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** Why browser tests skip here (no Chromium, outside CI), or false. Throws in CI without Chromium. */
export function browserMissing(): string | false {
  const missing = requireBinary(CHROMIUM);
  if (missing) return missing;
  if (!existsSync(join(ROOT, 'packages/ui/dist/index.html'))) {
    if (process.env.CI === 'true') throw new Error('the web UI is not built (CI=true): npm test builds it; run npm run build:ui');
    return 'the web UI is not built: run npm run build:ui';
  }
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    timeout: 30_000,
  });
}

export interface SeedDashboard {
  service: string;
  file: string;
  json: Record<string, unknown>;
}

/** Every dashboard JSON under examples/seeds/<service>/dashboards/. */
export function seedDashboards(): SeedDashboard[] {
  const seeds = join(ROOT, 'examples/seeds');
  const result: SeedDashboard[] = [];
  for (const service of readdirSync(seeds).sort()) {
    const folder = join(seeds, service, 'dashboards');
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder).filter((entry) => entry.endsWith('.json')).sort()) {
      const file = join(folder, name);
      result.push({ service, file, json: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> });
    }
  }
  return result;
}

/** A Vigil on 127.0.0.1 holding 6 hours of data (15 s apart) for every query of `dashboards`. */
export async function startVigilWithDashboardData(dataDir: string, dashboards: Record<string, unknown>[], nowMs = Date.now()): Promise<Vigil> {
  const vigil = await startVigil({ dataDir });
  const inner = dashboards.map((dashboard) => (dashboard.dashboard ?? dashboard) as Record<string, unknown>);
  await appendDashboardData(vigil.storage.appender(), planDashboardData(inner), { startMs: nowMs - 6 * 3600_000, endMs: nowMs, stepMs: 15_000 });
  return vigil;
}
