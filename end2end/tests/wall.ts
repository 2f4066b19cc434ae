// Shared helpers of the wall's end-to-end tests.
import { expect, type Page, type TestInfo } from '@playwright/test';

/** Console errors, page errors and failed requests seen by `page` (collect before goto). */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => {
    // Leaving a page cancels its event stream; that is not a failure of the wall.
    const aborted = req.failure()?.errorText === 'net::ERR_ABORTED' && req.url().includes('/api/v1/events');
    if (!aborted) problems.push(`requestfailed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  return problems;
}

/** Waits until the wall has hydrated and shows data; returns the data version shown. */
export async function wallReady(page: Page): Promise<string> {
  const wall = page.getByTestId('wall');
  await expect(wall).toHaveAttribute('data-hydrated', 'true');
  await expect(wall).toHaveAttribute('data-version', /^\d+$/);
  return (await wall.getAttribute('data-version')) as string;
}

/** Waits until every chart canvas on the page has been drawn for `version`. */
export async function chartsDrawn(page: Page, version: string): Promise<void> {
  await expect
    .poll(
      async () =>
        page.$$eval(
          'canvas[data-testid^="chart-"]',
          (els, v) => els.length > 0 && els.every((e) => e.getAttribute('data-version') === v),
          version,
        ),
      { message: `all charts drawn for version ${version}` },
    )
    .toBe(true);
}

/** `data-redraw-ms` of every chart on the page, by chart name. */
export async function redrawTimes(page: Page): Promise<Record<string, number>> {
  return page.$$eval('canvas[data-testid^="chart-"]', (els) =>
    Object.fromEntries(
      els.map((e) => [e.getAttribute('data-testid')!.replace(/^chart-/, ''), Number(e.getAttribute('data-redraw-ms'))]),
    ),
  );
}

/** Saves a screenshot of the page as an artifact of the test. */
export async function keepScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  const body = await page.screenshot({ path });
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

/** The org id of the last breadcrumb (the organisation in view). */
export async function orgInView(page: Page): Promise<string | null> {
  return page.getByTestId('crumb').last().getAttribute('data-org-id');
}
