// Briefing mode (issue 12): on 16:9 screens the wall takes its 2560 × 1440 canvas with the
// panels re-arranged, fills the screen, draws every chart, shows no text under 14 px and no
// figure or heading cut; the layout can be forced either way with ?layout=.
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { STATE } from '../global-setup';
import { blankCharts, chartsDrawn, cutText, inLayout, keepScreenshot, scrolls, smallestText, wallFill, wallReady, watchProblems } from './wall';

const SIZES = [
  { width: 1920, height: 1080 },
  { width: 1366, height: 768 },
  { width: 2560, height: 1440 },
];

/** The checks every view gets on a 16:9 screen; returns what was measured. */
async function checkView(page: Page, testInfo: TestInfo, name: string): Promise<string> {
  const version = await wallReady(page);
  await inLayout(page, 'briefing');
  await chartsDrawn(page, version);
  const size = page.viewportSize()!;
  const fill = await wallFill(page);
  expect(fill.width, `${name}: width filled`).toBeGreaterThanOrEqual(0.9);
  expect(fill.height, `${name}: height filled`).toBeGreaterThanOrEqual(0.9);
  expect(await scrolls(page), `${name}: no scrollbars`).toEqual({ w: 0, h: 0 });
  expect(await blankCharts(page), `${name}: blank charts`).toEqual([]);
  const text = await smallestText(page);
  expect(text.px, `${name}: smallest text ${text.what}`).toBeGreaterThanOrEqual(14);
  expect(await cutText(page), `${name}: figures and headings cut`).toEqual([]);
  await keepScreenshot(page, testInfo, `${name}-${size.width}x${size.height}`);
  return `${name} ${size.width}x${size.height}: fill ${(fill.width * 100).toFixed(1)}% × ${(fill.height * 100).toFixed(1)}%, smallest text ${text.px.toFixed(1)} px (${text.what})`;
}

for (const size of SIZES) {
  test(`briefing canvas at ${size.width}x${size.height}: district, organisation, branch, member`, async ({ page }, testInfo) => {
    const problems = watchProblems(page);
    await page.setViewportSize(size);
    const notes: string[] = [];

    await page.goto('/');
    notes.push(await checkView(page, testInfo, 'district'));
    // the same panels as on the wall
    for (const id of ['kpis', 'trends', 'leaderboard', 'advice', 'composition', 'compare', 'warnings']) {
      await expect(page.getByTestId(id), id).toBeVisible();
    }

    // an organisation with children of its own, then down to a branch (members listed)
    const deeper = page.locator('[data-testid="child-row"][data-has-children="true"]').first();
    await deeper.click();
    await expect(page).toHaveURL(/\/org\//);
    notes.push(await checkView(page, testInfo, 'organisation'));
    for (let level = 0; level < 4 && (await page.getByTestId('member-row').count()) === 0; level++) {
      await page.getByTestId('child-row').first().click();
      await expect(page.getByTestId('crumb')).toHaveCount(level + 3);
    }
    await expect(page.getByTestId('member-row').first()).toBeVisible();
    notes.push(await checkView(page, testInfo, 'branch'));

    await page.getByTestId('member-row').first().click();
    await expect(page).toHaveURL(/\/member\//);
    await expect(page.getByTestId('member-name')).not.toBeEmpty();
    notes.push(await checkView(page, testInfo, 'member'));
    for (const id of ['member-profile', 'member-dimensions', 'member-monthly', 'member-indicators', 'member-trace']) {
      await expect(page.getByTestId(id), id).toBeVisible();
    }

    console.log(notes.join('\n'));
    await testInfo.attach('measured', { body: notes.join('\n'), contentType: 'text/plain' });
    expect(problems, problems.join('\n')).toEqual([]);
  });
}

test('the layout follows the shape of the screen, and ?layout= forces one', async ({ page }) => {
  const problems = watchProblems(page);
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto('/');
  await wallReady(page);
  await inLayout(page, 'briefing');
  expect((await page.getByTestId('wall').boundingBox())!.width).toBeCloseTo(1920, 0);

  // forced to the wall on a 16:9 screen: the 3:1 canvas, letterboxed
  await page.goto('/?layout=wall');
  await wallReady(page);
  await inLayout(page, 'wall');
  const box = (await page.getByTestId('wall').boundingBox())!;
  expect(box.width).toBeCloseTo(1920, 0);
  expect(box.height).toBeCloseTo(640, 0);
  // links keep the forced layout
  const row = page.getByTestId('child-row').first();
  const id = (await row.getAttribute('data-org-id'))!;
  await row.click();
  await expect(page).toHaveURL(new RegExp(`/org/${id}\\?layout=wall$`));
  await inLayout(page, 'wall');

  // a screen that turns from 16:9 to 3:1 changes canvas without a reload
  await page.goto('/');
  await wallReady(page);
  await inLayout(page, 'briefing');
  await page.setViewportSize({ width: 2880, height: 960 });
  await inLayout(page, 'wall');
  const version = await wallReady(page);
  await chartsDrawn(page, version);
  await expect.poll(async () => (await page.getByTestId('chart-trend-1').evaluate((c) => (c as HTMLCanvasElement).width))).toBe(1124);

  // forced to the briefing on the wall's shape
  await page.goto('/?layout=briefing');
  await wallReady(page);
  await inLayout(page, 'briefing');
  expect((await page.getByTestId('wall').boundingBox())!.height).toBeCloseTo(960, 0);
  expect(await page.getByTestId('chart-trend-1').evaluate((c) => (c as HTMLCanvasElement).width)).toBe(532);
  expect(problems, problems.join('\n')).toEqual([]);
});

test('the server-rendered first paint of a 16:9 screen is already the briefing canvas', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, storageState: STATE });
  const page = await context.newPage();
  await page.route('**/pkg/*.wasm', (r) => r.abort());
  await page.goto('/');
  await expect(page.getByTestId('kpi-members')).toBeVisible();
  await inLayout(page, 'briefing');
  const box = (await page.getByTestId('wall').boundingBox())!;
  expect(box.width).toBeCloseTo(1920, 0);
  expect(box.height).toBeCloseTo(1080, 0);
  await context.close();
});
