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

/** The two layouts of the wall (issue 12) and a viewport that chooses each by its shape. */
export const LAYOUTS = [
  { layout: 'wall', viewport: { width: 2880, height: 960 } },
  { layout: 'briefing', viewport: { width: 1920, height: 1080 } },
] as const;

/** Waits until the fit script and the app agree on `layout` (`wall` or `briefing`). */
export async function inLayout(page: Page, layout: string): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('data-layout', layout);
}

/** How much of the viewport the scaled wall covers, as fractions of its width and height. */
export async function wallFill(page: Page): Promise<{ width: number; height: number }> {
  const box = (await page.getByTestId('wall').boundingBox())!;
  const vp = page.viewportSize()!;
  const w = Math.min(box.x + box.width, vp.width) - Math.max(box.x, 0);
  const h = Math.min(box.y + box.height, vp.height) - Math.max(box.y, 0);
  return { width: w / vp.width, height: h / vp.height };
}

/** Whether the document scrolls either way. */
export async function scrolls(page: Page): Promise<{ w: number; h: number }> {
  return page.evaluate(() => ({
    w: document.documentElement.scrollWidth - window.innerWidth,
    h: document.documentElement.scrollHeight - window.innerHeight,
  }));
}

/**
 * The smallest text on screen in CSS pixels: every visible element of the wall with text of
 * its own (computed font size × the wall's scale), and every chart's smallest label (the
 * canvas's `data-min-text`, in canvas pixels, × its size on screen / its pixel width).
 * Returns the size and what has it.
 */
export async function smallestText(page: Page): Promise<{ px: number; what: string }> {
  return page.evaluate(() => {
    const wall = document.querySelector('[data-testid="wall"]') as HTMLElement;
    const scale = wall.getBoundingClientRect().width / wall.offsetWidth;
    let best = { px: Infinity, what: '' };
    for (const el of Array.from(wall.querySelectorAll<HTMLElement>('*'))) {
      const own = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
      if (!own || el.getClientRects().length === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      const px = parseFloat(style.fontSize) * scale;
      if (px < best.px) best = { px, what: `${el.tagName.toLowerCase()}.${el.className} “${el.textContent!.trim().slice(0, 20)}”` };
    }
    for (const c of Array.from(wall.querySelectorAll<HTMLCanvasElement>('canvas[data-testid^="chart-"]'))) {
      const min = Number(c.getAttribute('data-min-text'));
      if (!min) continue;
      const px = (min * c.getBoundingClientRect().width) / c.width;
      if (px < best.px) best = { px, what: `chart ${c.getAttribute('data-testid')}` };
    }
    return best;
  });
}

/** Names of the chart canvases on the page that have nothing drawn (every pixel transparent). */
export async function blankCharts(page: Page): Promise<string[]> {
  return page.$$eval('canvas[data-testid^="chart-"]', (els) =>
    (els as HTMLCanvasElement[])
      .filter((c) => {
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return false;
        return true;
      })
      .map((c) => c.getAttribute('data-testid')!),
  );
}

/**
 * Figures and headings that must show whole on the briefing canvas (issue 12: the leaderboard's
 * index, the title bars' counts, the advice head, the member's category and date joined, the
 * comparison charts' titles, the points table): those on the page whose text overflows its
 * box (ellipsis or clipped). Names of members and organisations may give way; these may not.
 */
export async function cutText(page: Page): Promise<string[]> {
  return page.$$eval(
    '.leaders th, .leaders td.num, .panel-aside, .matrix-head > span, .profile-facts > span:not(:first-child), .row-chart-title > span, .rule-matrix th, .rule-matrix td',
    (els) =>
      (els as HTMLElement[])
        .filter((e) => e.getClientRects().length > 0 && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
        .map((e) => `${e.className || e.tagName.toLowerCase()} “${e.textContent!.trim().slice(0, 30)}”`),
  );
}
