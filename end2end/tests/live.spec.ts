// Live and unattended: the stale badge when the server is unreachable and when its database
// is (issue 11), an imported event on screen within 2 s without a reload, and flat memory over
// 500 live updates.
//
// With VANGUARD_BIN and VANGUARD_DB_URL set (scripts/test.sh sets them) the stale test starts
// a server of its own on that database (on a free port) and really stops and restarts it —
// the shared server at VANGUARD_URL keeps serving the other tests — and the import test
// imports into the database the shared server watches. Without them the stale test cuts the
// network in the browser instead, and the import test is skipped. The 500-update test needs
// the dev endpoint of the shared server (VANGUARD_DEV_ENDPOINTS=1). The database-outage test
// makes a PostgreSQL cluster of its own (initdb as the postgres user, as the Rust fault tests
// do), seeds it and stops and starts it under a server of its own; without PostgreSQL's
// binaries it is skipped.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { BIN, Cluster, DB, OwnServer, REPO, freePort, kioskUrl } from './servers';
import { chartsDrawn, wallReady, watchProblems } from './wall';

// A write carried by the session cookie must come from the server's own origin (§10).
const SAME_ORIGIN = { Origin: process.env.VANGUARD_URL || 'http://127.0.0.1:3000' };

test.describe('live', () => {
  test('stale badge when the server is unreachable, gone when it is back', async ({ page, context }) => {
    test.setTimeout(180_000);
    if (BIN && DB) {
      const server = new OwnServer(await freePort());
      await server.start();
      try {
        await page.goto(`${server.url}/`);
        await wallReady(page);
        await expect(page.getByTestId('stale-badge')).toHaveCount(0);
        const shown = await page.getByTestId('kpi-members').locator('.kpi-number').innerText();

        await server.stop();
        await expect(page.getByTestId('stale-badge')).toBeVisible({ timeout: 30_000 });
        await expect(page.getByTestId('stale-badge')).toContainText('数据未更新');
        await expect(page.getByTestId('stale-badge')).toContainText(/最后更新 \d\d:\d\d:\d\d/);
        // the last good data stays on screen
        await expect(page.getByTestId('kpi-members').locator('.kpi-number')).toHaveText(shown);

        await server.start();
        await expect(page.getByTestId('stale-badge')).toHaveCount(0, { timeout: 30_000 });
        await expect(page.getByTestId('live-ok')).toBeVisible();
      } finally {
        await server.stop();
      }
    } else {
      await page.goto('/');
      await wallReady(page);
      const shown = await page.getByTestId('kpi-members').locator('.kpi-number').innerText();
      await page.route('**/api/**', (r) => r.abort());
      await context.setOffline(true);
      await expect(page.getByTestId('stale-badge')).toBeVisible({ timeout: 30_000 });
      await expect(page.getByTestId('kpi-members').locator('.kpi-number')).toHaveText(shown);
      await page.unroute('**/api/**');
      await context.setOffline(false);
      await expect(page.getByTestId('stale-badge')).toHaveCount(0, { timeout: 30_000 });
    }
  });

  test('stale badge while the database is away, gone when it is back, without a restart', async ({ browser }) => {
    test.skip(!BIN, 'needs VANGUARD_BIN');
    test.setTimeout(300_000);
    const cluster = await Cluster.make();
    test.skip(!cluster, 'no PostgreSQL binaries (or no postgres user) to make a cluster of the test\'s own');
    const work = mkdtempSync(join(tmpdir(), 'vanguard-ui-outage-'));
    const server = new OwnServer(await freePort(), cluster!.url, work);
    try {
      cluster!.start();
      const seeded = spawnSync(BIN!, ['seed', '--db', cluster!.url, '--members', '300', '--years', '1', '--seed', '7'], { cwd: work, encoding: 'utf8' });
      expect(seeded.status, seeded.stdout + seeded.stderr).toBe(0);
      await server.start();
      // the kiosk URL of the server's first run (§10) opens the wall without a login
      const kiosk = kioskUrl(join(work, 'data', 'postgres.first-run.txt'));
      const context = await browser.newContext({ storageState: undefined, viewport: { width: 2880, height: 960 } });
      const page = await context.newPage();
      await page.goto(`${server.url}${kiosk}`);
      await wallReady(page);
      await expect(page.getByTestId('stale-badge')).toHaveCount(0);
      const shown = await page.getByTestId('kpi-members').locator('.kpi-number').innerText();

      cluster!.stop();
      // the server is up (its event stream stays open): it is the data that are out of date
      await expect(page.getByTestId('stale-badge')).toBeVisible({ timeout: 60_000 });
      await expect(page.getByTestId('stale-badge')).toContainText('数据未更新');
      expect((await page.request.get(`${server.url}/readyz`)).status()).toBe(503);
      await expect(page.getByTestId('kpi-members').locator('.kpi-number')).toHaveText(shown);

      cluster!.start();
      await expect(page.getByTestId('stale-badge')).toHaveCount(0, { timeout: 60_000 });
      await expect(page.getByTestId('kpi-members').locator('.kpi-number')).toHaveText(shown);
      expect((await page.request.get(`${server.url}/readyz`)).status()).toBe(200);
      expect(server.proc?.exitCode, 'the same server, never restarted').toBe(null);
      await context.close();
    } finally {
      await server.stop();
      cluster!.remove();
      rmSync(work, { recursive: true, force: true });
    }
  });

  test('an event imported while the wall is open appears within 2 s without a reload', async ({ page }) => {
    test.skip(!BIN || !DB, 'needs VANGUARD_BIN and VANGUARD_DB_URL');
    test.setTimeout(120_000);
    const problems = watchProblems(page);
    await page.goto('/');
    await wallReady(page);
    const member = (await page.getByTestId('leaderboard-row').first().getAttribute('data-member-id'))!;
    await page.goto(`/member/${member}`);
    const before = await wallReady(page);
    const month = await page.getByTestId('month-select').inputValue();
    const indexBefore = Number(await page.getByTestId('member-index').locator('.kpi-number').innerText());
    let navigations = 0;
    page.on('framenavigated', () => navigations++);

    // one model post (2 points) of that member in the month in view
    const dir = mkdtempSync(join(tmpdir(), 'vanguard-ui-import-'));
    const id = `E-UI-${Date.now()}`;
    writeFileSync(
      join(dir, 'events.csv'),
      `event_id,member_id,kind,occurred_at,activity_id,quantity,period,source\n${id},${member},model_post,${month}-01T09:30:00,,,,manual\n`,
    );
    const imported = spawnSync(BIN!, ['import', '--db', DB!, dir], { cwd: REPO, encoding: 'utf8' });
    expect(imported.status, imported.stdout + imported.stderr).toBe(0);
    const done = Date.now();

    await expect(page.getByTestId('wall')).not.toHaveAttribute('data-version', before, { timeout: 2000 });
    await expect(page.getByTestId('member-index').locator('.kpi-number')).toHaveText((indexBefore + 2).toFixed(2), { timeout: Math.max(100, 2000 - (Date.now() - done)) });
    const took = Date.now() - done;
    console.log(`imported event on screen after ${took} ms`);
    expect(took).toBeLessThan(2000);
    expect(navigations).toBe(0);
    expect(problems, problems.join('\n')).toEqual([]);
  });

  test('500 live update cycles keep the JS heap flat', async ({ page, request }) => {
    test.setTimeout(900_000);
    const probe = await request.post('/api/v1/dev/bump', { headers: SAME_ORIGIN });
    test.skip(probe.status() === 404, 'dev endpoints are off (VANGUARD_DEV_ENDPOINTS=1)');
    expect(probe.ok()).toBe(true);
    const problems = watchProblems(page);
    await page.goto('/');
    let version = await wallReady(page);
    await chartsDrawn(page, version);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async (): Promise<number> => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'JSHeapUsedSize')!.value;
    };

    // one cycle: a new version is pushed, the wall refetches, every chart redraws (waited
    // for in the page itself: the test's own polling should not weigh on the heap measured)
    const cycle = async () => {
      const res = await request.post('/api/v1/dev/bump', { headers: SAME_ORIGIN });
      expect(res.ok()).toBe(true);
      version = String((await res.json()).version);
      await page.waitForFunction(
        (v) =>
          document.querySelector('[data-testid="wall"]')?.getAttribute('data-version') === v &&
          [...document.querySelectorAll('canvas[data-testid^="chart-"]')].every((c) => c.getAttribute('data-version') === v),
        version,
        { polling: 20 },
      );
    };

    // the charts are updated in place: the same canvas elements before and after
    const tag = () =>
      page.$$eval('canvas[data-testid^="chart-"]', (els) => els.forEach((e, i) => ((e as unknown as { mark: number }).mark = i)));
    const marked = () =>
      page.$$eval('canvas[data-testid^="chart-"]', (els) => els.every((e, i) => (e as unknown as { mark: number }).mark === i));
    await tag();

    // warm up (first allocations, JIT, caches filling), then measure over 500 cycles
    for (let i = 0; i < 100; i++) await cycle();
    const start = await heap();
    for (let i = 0; i < 500; i++) await cycle();
    const end = await heap();
    const growth = (end - start) / start;
    console.log(`JS heap ${Math.round(start / 1024)} KiB -> ${Math.round(end / 1024)} KiB (${(growth * 100).toFixed(1)}%) over 500 updates`);
    expect(growth).toBeLessThan(0.1);
    expect(await marked(), 'no chart was re-mounted').toBe(true);
    await expect(page.getByTestId('loading')).toHaveCount(0);
    expect(problems, problems.join('\n')).toEqual([]);
  });
});

