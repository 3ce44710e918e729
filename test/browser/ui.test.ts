/**
 * The web UI in Debian's Chromium: each seed guide's Grafana dashboard is imported through the UI's
 * upload, opened against live data, and every panel must show data (chart points or a value); a
 * current-schema dashboard exercises variables, rows and every panel type; Explore runs a query.
 * `UPDATE_SCREENSHOTS=1` also writes docs/screenshots/*.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Vigil } from '../../packages/server/src/vigil.ts';
import { ROOT, tempDir } from '../support/vigil.ts';
import { browserMissing, launchChromium, seedDashboards, startVigilWithDashboardData } from './browser.ts';
import { tenPanelDashboard } from './dashboard-data.ts';

// Callbacks given to page.evaluate run in the browser, where these exist; the Node type-check has no
// DOM library (adding it would change fetch's types for every other file), so they are declared here.
interface BrowserElement {
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  querySelector(selector: string): BrowserElement | null;
  querySelectorAll(selector: string): Iterable<BrowserElement>;
  getBoundingClientRect(): { width: number; height: number };
  innerText: string;
}
declare const document: { querySelectorAll(selector: string): Iterable<BrowserElement>; documentElement: { dataset: Record<string, string | undefined> } };
declare const window: { injected?: boolean };

const skip = browserMissing();
const screenshots = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs/screenshots') : null;
const currentSchemaFile = join(import.meta.dirname, 'fixtures/current-schema.json');

interface PanelReport {
  title: string;
  type: string;
  state: string;
  points: number;
  values: string[];
  text: string;
  errors: number;
}

/** Waits until no panel is loading, then reports what each drew. */
async function panelReports(page: Page): Promise<PanelReport[]> {
  await page.waitForSelector('section.panel', { timeout: 15_000 });
  // Panels query when they come near the viewport, as in Grafana: bring each into view once.
  for (const panel of await page.locator('section.panel').all()) await panel.scrollIntoViewIfNeeded();
  await page.evaluate('window.scrollTo(0, 0)');
  // Done loading, and every chart has its canvas (uPlot draws in an effect after the panel renders).
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('section.panel')].every((panel) => {
        const state = panel.getAttribute('data-panel-state');
        return state !== 'loading' && state !== 'offscreen' && (panel.querySelector('.chart') === null || panel.querySelector('.chart canvas') !== null);
      }),
    undefined,
    { timeout: 15_000 },
  );
  return page.locator('section.panel').evaluateAll((panels) =>
    panels.map((panel) => ({
      title: panel.getAttribute('aria-label') ?? '',
      type: panel.getAttribute('data-panel-type') ?? '',
      state: panel.getAttribute('data-panel-state') ?? '',
      points: [...panel.querySelectorAll('.chart')].reduce((total, chart) => total + Number(chart.getAttribute('data-points') ?? 0), 0) + (panel.querySelector('.chart canvas') ? 0 : -1_000_000),
      values: [...panel.querySelectorAll('[data-value]')].map((element) => element.getAttribute('data-value') ?? ''),
      text: panel.querySelector('.panel-body')?.innerText ?? '',
      errors: Number(panel.getAttribute('data-errors') ?? 0),
    })),
  );
}

function assertPanelHasData(panel: PanelReport, where: string): void {
  const label = `${where}: panel "${panel.title}" (${panel.type})`;
  assert.equal(panel.state, 'done', `${label} did not finish: ${panel.text}`);
  if (panel.type === 'timeseries') {
    assert.ok(panel.points > 0, `${label} drew no points on a uPlot canvas`);
  } else if (panel.type === 'stat' || panel.type === 'gauge' || panel.type === 'bargauge' || panel.type === 'piechart') {
    assert.ok(panel.values.length > 0 && panel.values.every((value) => value !== '' && Number.isFinite(Number(value))), `${label} shows no value: ${JSON.stringify(panel.values)} ${panel.text}`);
  } else if (panel.type === 'table') {
    assert.ok(panel.text.split('\n').length > 1, `${label} has no rows`);
  } else if (panel.type === 'text') {
    assert.notEqual(panel.text.trim(), '', `${label} is empty`);
  }
  assert.equal(panel.errors, 0, `${label} reports errors: ${panel.text}`);
  assert.doesNotMatch(panel.text, /No data/, `${label}`);
}

async function importThroughUi(page: Page, baseUrl: string, file: string): Promise<void> {
  await page.goto(`${baseUrl}/dashboards`);
  await page.locator('[data-testid=dashboard-upload]').setInputFiles(file);
  await page.waitForURL(/\/d\/[^/]+\/[^/?]+/, { timeout: 15_000 });
}

describe('web UI in Chromium', { skip, timeout: 180_000 }, () => {
  const dir = tempDir('vigil-ui-browser-');
  let vigil: Vigil;
  let browser: Browser;
  let page: Page;
  const seeds = seedDashboards();

  before(async () => {
    const dashboards = [...seeds.map((seed) => seed.json), JSON.parse(readFileSync(currentSchemaFile, 'utf8')) as Record<string, unknown>];
    vigil = await startVigilWithDashboardData(join(dir.path, 'data'), dashboards);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    (page as Page & { errors: string[] }).errors = errors;
  });

  after(async () => {
    await browser?.close();
    await vigil?.stop();
    dir.remove();
  });

  it('finds the seed dashboards', () => {
    assert.ok(seeds.length >= 5, `expected the seed dashboards under examples/seeds/*/dashboards, found ${seeds.length}`);
  });

  it('imports each seed dashboard by upload and every panel draws data', async () => {
    for (const seed of seeds) {
      await importThroughUi(page, vigil.url, seed.file);
      const panels = await panelReports(page);
      const expected = ((seed.json.dashboard ?? seed.json) as { panels: unknown[] }).panels.length;
      assert.equal(panels.length, expected, `${seed.file}: ${panels.length} panels shown of ${expected}`);
      for (const panel of panels) assertPanelHasData(panel, seed.file);
      if (screenshots && /metamask-integration-service/.test(seed.file)) {
        mkdirSync(screenshots, { recursive: true });
        await page.screenshot({ path: join(screenshots, 'dashboard-seed.png') });
      }
    }
    // Imported dashboards are saved: the list shows them.
    await page.goto(`${vigil.url}/dashboards`);
    for (const seed of seeds) {
      const title = ((seed.json.dashboard ?? seed.json) as { title: string }).title;
      await page.getByRole('link', { name: title, exact: true }).waitFor({ timeout: 5000 });
    }
    assert.deepEqual((page as Page & { errors: string[] }).errors, []);
  });

  it('a broken upload says what and where, and nothing is imported', async () => {
    const broken = join(dir.path, 'broken.json');
    writeFileSync(broken, '{\n  "title": "x",\n  "panels": [\n    {"type": "graph",}\n  ]\n}\n');
    await page.goto(`${vigil.url}/dashboards`);
    await page.locator('[data-testid=dashboard-upload]').setInputFiles(broken);
    await page.locator('.error-box').waitFor({ timeout: 5000 });
    assert.match(await page.locator('.error-box').innerText(), /^broken\.json:4:22: invalid JSON/);
    const notADashboard = join(dir.path, 'rules.json');
    writeFileSync(notADashboard, '{"groups": []}');
    await page.locator('[data-testid=dashboard-upload]').setInputFiles(notADashboard);
    await page.locator('.error-box', { hasText: 'rules.json' }).waitFor({ timeout: 5000 });
    assert.match(await page.locator('.error-box').innerText(), /rules\.json: no "panels" or "rows": this is not a Grafana dashboard/);
    assert.match(page.url(), /\/dashboards$/);

    // Pasting JSON imports like a file (Grafana's "Import via dashboard JSON model").
    await page.getByText('Paste dashboard JSON').click();
    await page.getByLabel('Dashboard JSON').fill(JSON.stringify({ dashboard: { uid: 'pasted', title: 'Pasted', panels: [{ type: 'stat', title: 'Pool', targets: [{ expr: 'sum(db_connection_pool)' }] }] } }));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.waitForURL(/\/d\/pasted\/pasted/);
    const [pool] = await panelReports(page);
    assertPanelHasData(pool, 'pasted');
  });

  it('renders the current schema: variables, rows, stat, gauge, bar gauge, pie, table, text and unsupported panels', async () => {
    await importThroughUi(page, vigil.url, currentSchemaFile);
    assert.match(page.url(), /\/d\/vigil-ui-current\/vigil-ui---current-schema/);
    const panels = await panelReports(page);
    const byTitle = new Map(panels.map((panel) => [panel.title, panel]));
    for (const title of ['Requests by method (All)', 'p95 latency on /api/orders', 'Cache hit ratio', 'Active DB connections', 'Pool by status', 'Requests by endpoint', 'Circuit breakers', 'About']) {
      const panel = byTitle.get(title);
      assert.ok(panel, `no panel "${title}" among ${[...byTitle.keys()].join(', ')}`);
      assertPanelHasData(panel, 'current schema');
    }
    // The Prometheus annotation query marks events on every time series; its toggle hides them.
    const annotationCounts = async () => page.locator('section.panel[data-panel-type="timeseries"] .chart').evaluateAll((charts) => charts.map((chart) => Number(chart.getAttribute('data-annotations'))));
    await page.waitForFunction(() => [...document.querySelectorAll('.chart')].some((chart) => Number(chart.getAttribute('data-annotations')) > 0), undefined, { timeout: 10_000 });
    assert.ok((await annotationCounts()).every((count) => count > 0));
    await page.getByLabel('Busy pool').uncheck();
    await page.waitForFunction(() => [...document.querySelectorAll('.chart')].every((chart) => chart.getAttribute('data-annotations') === '0'), undefined, { timeout: 10_000 });
    await page.getByLabel('Busy pool').check();
    // A repeated panel: one copy per selected value of $method, each with its own query.
    assertPanelHasData(byTitle.get('Rate GET')!, 'repeat');
    assertPanelHasData(byTitle.get('Rate POST')!, 'repeat');
    // Stacked series with a table legend carrying the requested calcs.
    assert.match(byTitle.get('Requests by method (All)')!.text, /Mean[\s\S]*Max[\s\S]*Last \*/);
    // The legend is sorted by Mean, descending (sortBy/sortDesc).
    const means = [...byTitle.get('Requests by method (All)')!.text.matchAll(/^(?:GET|POST)\s+([\d.]+) req\/s/gm)].map((match) => Number(match[1]));
    assert.equal(means.length, 2, byTitle.get('Requests by method (All)')!.text);
    assert.ok(means[0] >= means[1], `legend means ${means.join(', ')} should descend`);
    assert.match(byTitle.get('Cache hit ratio')!.text, /%/);
    // Value mappings: circuit breaker values read as closed/open.
    assert.match(byTitle.get('Circuit breakers')!.text, /\b(closed|open)\b/);
    // Two instant queries join on their labels into one row per breaker, a column per query.
    const table = byTitle.get('Circuit breakers')!.text.trim().split('\n');
    assert.match(table[0], /endpoint\s+Value #A\s+Value #B$/);
    assert.equal(table.length, 5, table.join('\n'));
    for (const row of table.slice(1)) assert.match(row, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\s.*(closed|open)\s+closed$/, 'times in the dashboard\'s UTC zone');
    // Markdown renders, variables interpolate, scripts do not run.
    assert.match(byTitle.get('About')!.text, /window 5m, range 21600s/);
    assert.equal(await page.evaluate(() => window.injected), undefined);
    // The collapsed row holds its panels until opened; the unsupported type says so in place.
    assert.equal(byTitle.has('Auth failures'), false);
    await page.getByRole('button', { name: /Security \(collapsed\)/ }).click();
    const opened = await panelReports(page);
    const heatmap = opened.find((panel) => panel.title === 'Latency heatmap');
    assert.equal(heatmap?.state, 'unsupported');
    assert.match(heatmap.text, /Panel type heatmap is not supported yet/);
    assertPanelHasData(opened.find((panel) => panel.title === 'Auth failures')!, 'collapsed row');

    // Choosing one method rewrites the query as Grafana does and lands in the URL.
    await page.locator('[data-variable=method] .variable-button').click();
    await page.locator('.variable-popover label', { hasText: 'GET' }).locator('input').check();
    await page.waitForURL(/var-method=GET/);
    await page.keyboard.press('Escape');
    await page.locator('.variable-popover').waitFor({ state: 'detached' });
    await page.locator('section.panel[aria-label="Requests by method (GET)"]').waitFor({ timeout: 10_000 });
    const filtered = await panelReports(page);
    const methodPanel = filtered.find((panel) => panel.title.startsWith('Requests by method'))!;
    assert.equal(methodPanel.title, 'Requests by method (GET)');
    assert.doesNotMatch(methodPanel.text, /POST/);
    if (screenshots) await page.screenshot({ path: join(screenshots, 'dashboard.png'), fullPage: true });
    // Back and forward restore the selection: the URL is its only record.
    await page.goBack();
    await page.locator('section.panel[aria-label="Requests by method (All)"]').waitFor({ timeout: 10_000 });
    await page.goForward();
    await page.locator('section.panel[aria-label="Requests by method (GET)"]').waitFor({ timeout: 10_000 });
    await panelReports(page);

    // Save writes the view's variables and range back as the dashboard's defaults (Grafana JSON).
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved', { exact: true }).waitFor({ timeout: 5000 });
    const stored = (await (await fetch(`${vigil.url}/api/dashboards/uid/vigil-ui-current`)).json()) as { dashboard: { time: unknown; templating: { list: { name: string; current: unknown }[] } } };
    assert.deepEqual(stored.dashboard.time, { from: 'now-6h', to: 'now' });
    assert.deepEqual(stored.dashboard.templating.list.find((variable) => variable.name === 'method')?.current, { text: ['GET'], value: ['GET'] });

    // A link reproduces the view: range and variables from the URL.
    const link = new URL(page.url());
    link.searchParams.set('from', 'now-1h');
    await page.goto(link.toString());
    await page.getByRole('button', { name: 'Last 1 hour' }).waitFor();
    assert.equal((await panelReports(page)).find((panel) => panel.title.startsWith('Requests by method'))?.title, 'Requests by method (GET)');
  });

  // How fast it draws is measured by bench/ui-dashboard-render.ts, not here.
  it('a 10-panel dashboard over 6 hours draws every panel with its data', async () => {
    const file = join(dir.path, 'ten-panels.json');
    writeFileSync(file, JSON.stringify({ dashboard: tenPanelDashboard('ten-panels') }));
    await importThroughUi(page, vigil.url, file);
    const reports = await panelReports(page);
    assert.equal(reports.length, 10);
    for (const report of reports) assertPanelHasData(report, 'ten panels');
    const points = reports.reduce((total, report) => total + Math.max(0, report.points), 0);
    assert.ok(points > 10_000, `the dashboard holds ${points} points`);
  });

  it('viewPanel links show one panel full size, also from inside a collapsed row', async () => {
    await page.goto(`${vigil.url}/d/vigil-ui-current/vigil-ui---current-schema?viewPanel=9`);
    const [alone] = await panelReports(page);
    assert.equal((await panelReports(page)).length, 1);
    assert.equal(alone.title, 'Auth failures');
    assertPanelHasData(alone, 'viewPanel');
    const height = await page.locator('section.panel-viewed').evaluate((element) => element.getBoundingClientRect().height);
    assert.ok(height > 500, `the viewed panel is ${height} px high`);
    await page.getByRole('button', { name: 'Back to the dashboard' }).click();
    await page.waitForURL((url) => !url.search.includes('viewPanel'));
    assert.ok((await panelReports(page)).length > 5);
  });

  it('zooms by dragging on a chart: the URL gets the absolute range', async () => {
    await page.goto(`${vigil.url}/d/vigil-ui-current/vigil-ui---current-schema?from=now-6h&to=now`);
    await panelReports(page);
    const over = page.locator('section.panel[data-panel-id="1"] .u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL(/from=\d{13}&to=\d{13}/);
    const url = new URL(page.url());
    const span = Number(url.searchParams.get('to')) - Number(url.searchParams.get('from'));
    assert.ok(span > 90 * 60_000 && span < 130 * 60_000, `zoomed span ${span} ms should be about 30 % of 6 h`);
    for (const panel of await panelReports(page)) if (panel.type === 'timeseries') assert.ok(panel.points > 0);
  });

  it('Explore: completes metric names, runs a query and graphs it; the query is in the URL', async () => {
    await page.goto(`${vigil.url}/explore?from=now-3h&to=now`);
    const editor = page.locator('.cm-content');
    await editor.waitFor({ timeout: 10_000 });
    await editor.click();
    await page.keyboard.type('bridge_database_conn');
    const completions = page.locator('.cm-tooltip-autocomplete');
    await completions.waitFor({ timeout: 5000 });
    assert.match(await completions.innerText(), /bridge_database_connections_active/);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('sum by (endpoint) (rate(http_requests_total[5m]))');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    await page.waitForURL(/query=sum/);
    await page.waitForSelector('.explore-graph[data-series-count="2"] .chart canvas', { timeout: 10_000 });
    const points = Number(await page.locator('.explore-graph .chart').getAttribute('data-points'));
    assert.ok(points > 500, `the Explore graph holds ${points} points`);
    if (screenshots) await page.screenshot({ path: join(screenshots, 'explore.png') });
    // The query is remembered in this browser's history.
    await page.getByText('History', { exact: true }).click();
    assert.match(await page.locator('.explore-history').innerText(), /sum by \(endpoint\) \(rate\(http_requests_total\[5m\]\)\)/);

    // Table view runs the instant query; a bad query shows the server's parse error.
    await page.getByRole('tab', { name: 'Table' }).click();
    await page.waitForSelector('.explore-table table.data tbody tr');
    assert.match(await page.locator('.explore-table').innerText(), /\{endpoint="\/api\/orders"\}/);
    // Prometheus's own links (alert generator URLs) land in Explore.
    await page.goto(`${vigil.url}/graph?g0.expr=${encodeURIComponent('db_connection_pool')}&g0.tab=1`);
    await page.waitForURL(/\/explore\?query=db_connection_pool&view=table/);
    await page.waitForSelector('.explore-table table.data tbody tr');
    assert.match(await page.locator('.explore-table').innerText(), /db_connection_pool\{status="active"\}/);
    await page.goto(`${vigil.url}/explore?query=${encodeURIComponent('sum(rate(x[5m])')}`);
    await page.locator('.error-box').waitFor({ timeout: 10_000 });
    assert.match(await page.locator('.error-box').innerText(), /parse error/);
  });

  it('serves the theme toggle and a phone layout', async () => {
    await page.goto(`${vigil.url}/d/vigil-ui-current/vigil-ui---current-schema`);
    await panelReports(page);
    const initial = await page.evaluate(() => document.documentElement.dataset.theme);
    await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
    const toggled = await page.evaluate(() => document.documentElement.dataset.theme);
    assert.notEqual(toggled, initial);
    if (toggled !== 'dark') await page.getByRole('button', { name: /Switch to dark theme/ }).click();
    if (screenshots) await page.screenshot({ path: join(screenshots, 'dashboard-dark.png'), fullPage: true });

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      await phone.goto(`${vigil.url}/d/vigil-ui-current/vigil-ui---current-schema`);
      const panels = await panelReports(phone);
      assert.ok(panels.length > 0);
      const widths = await phone.locator('section.panel').evaluateAll((elements) => elements.map((element) => element.getBoundingClientRect().width));
      assert.ok(widths.every((width) => width > 300), `panels on a phone take the full width: ${widths.join(', ')}`);
      if (screenshots) await phone.screenshot({ path: join(screenshots, 'dashboard-phone.png') });
      // The navigation folds behind the menu button on a phone.
      const navigation = phone.getByRole('navigation', { name: 'Main' });
      assert.equal(await navigation.isVisible(), false);
      await phone.getByRole('button', { name: 'Menu' }).click();
      await navigation.getByRole('link', { name: /Explore/ }).click();
      await phone.waitForURL(/\/explore/);
      await phone.locator('.cm-content').waitFor();
    } finally {
      await phone.close();
    }
  });
});
