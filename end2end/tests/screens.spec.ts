// Screenshots of the wall at the reference sizes, kept as artifacts, with the layout checks a
// person reading them would make: the canvas fits, is centred, and nothing scrolls.
import { expect, test } from '@playwright/test';
import { STATE } from '../global-setup';
import { BIN, SeededServer } from './servers';
import { chartsDrawn, keepScreenshot, redrawTimes, wallReady, watchProblems } from './wall';

// the 3:1 sizes get the wall's canvas, a 16:9 screen the briefing's (issue 12)
const SIZES = [
  { width: 5760, height: 1920, canvas: { width: 5760, height: 1920 } },
  { width: 3840, height: 1280, canvas: { width: 5760, height: 1920 } },
  { width: 1920, height: 1080, canvas: { width: 2560, height: 1440 } },
];

for (const { canvas, ...size } of SIZES) {
  test(`wall at ${size.width}x${size.height}`, async ({ page }, testInfo) => {
    const problems = watchProblems(page);
    await page.setViewportSize(size);
    await page.goto('/');
    const version = await wallReady(page);
    await chartsDrawn(page, version);

    // the canvas is scaled to fit, centred, letterboxed, without scrollbars
    const box = (await page.getByTestId('wall').boundingBox())!;
    const scale = Math.min(size.width / canvas.width, size.height / canvas.height);
    expect(box.width).toBeCloseTo(canvas.width * scale, 0);
    expect(box.height).toBeCloseTo(canvas.height * scale, 0);
    expect(box.x).toBeCloseTo((size.width - box.width) / 2, 0);
    expect(box.y).toBeCloseTo((size.height - box.height) / 2, 0);
    const scroll = await page.evaluate(() => ({
      w: document.documentElement.scrollWidth - window.innerWidth,
      h: document.documentElement.scrollHeight - window.innerHeight,
    }));
    expect(scroll).toEqual({ w: 0, h: 0 });

    await keepScreenshot(page, testInfo, `district-${size.width}x${size.height}`);

    if (size.width === 5760) {
      const times = await redrawTimes(page);
      await testInfo.attach('redraw-ms-district', { body: JSON.stringify(times, null, 2), contentType: 'application/json' });
      console.log(`redraw ms (district, ${size.width}x${size.height}):`, times);

      // the member view at the wall's size too
      const member = await page.getByTestId('leaderboard-row').first().getAttribute('data-member-id');
      await page.goto(`/member/${member}`);
      const v = await wallReady(page);
      await chartsDrawn(page, v);
      await expect(page.getByTestId('member-name')).not.toBeEmpty();
      await keepScreenshot(page, testInfo, `member-${size.width}x${size.height}`);
      const memberTimes = await redrawTimes(page);
      await testInfo.attach('redraw-ms-member', { body: JSON.stringify(memberTimes, null, 2), contentType: 'application/json' });
      console.log('redraw ms (member):', memberTimes);
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });
}

test('the server-rendered first paint is already scaled', async ({ browser }) => {
  // Without the wasm bundle (blocked here) only the server's HTML, the stylesheet and the
  // inline fit script of the head are at work: the wall must already have its size.
  const context = await browser.newContext({ viewport: { width: 3840, height: 1280 }, storageState: STATE });
  const page = await context.newPage();
  await page.route('**/pkg/*.wasm', (r) => r.abort());
  await page.goto('/');
  await expect(page.getByTestId('kpi-members')).toBeVisible();
  const box = (await page.getByTestId('wall').boundingBox())!;
  expect(box.width).toBeCloseTo(3840, 0);
  expect(box.height).toBeCloseTo(1280, 0);
  await context.close();
});

// The 3:1 wall is as it was before the 16:9 briefing canvas came (issue 12): the district of a
// seeded database of the test's own (300 members, seed 7), seen through its kiosk URL, compared
// pixel by pixel with the screenshots the wall of commit e21bf4d drew of the same data
// (screens.spec.ts-snapshots/). They were taken by this test run with --update-snapshots against
// that commit's binary and site (docs/ARCHITECTURE.md, "The 3:1 wall's reference screenshots").
// The clock and the time of the last update are masked: they are all that moves by itself.
test.describe('the 3:1 wall as before', () => {
  test.skip(!BIN, 'needs VANGUARD_BIN');
  let seeded: SeededServer;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    seeded = await SeededServer.start(300);
  });
  test.afterAll(async () => {
    await seeded?.stop();
  });

  for (const size of [
    { width: 5760, height: 1920 },
    { width: 3840, height: 1280 },
  ]) {
    test(`${size.width}x${size.height}`, async ({ browser }) => {
      const context = await browser.newContext({ storageState: undefined, viewport: size });
      const page = await context.newPage();
      await page.goto(`${seeded.url}${seeded.kiosk}`);
      // (no layout check: the wall of e21bf4d knew no other layout)
      const version = await wallReady(page);
      await chartsDrawn(page, version);
      await expect(page).toHaveScreenshot(`wall-${size.width}x${size.height}.png`, {
        mask: [page.getByTestId('clock'), page.getByTestId('live-ok')],
        maxDiffPixelRatio: 0.002,
        timeout: 20_000,
      });
      await context.close();
    });
  }
});
