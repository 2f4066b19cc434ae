// Printing what is on screen (issue 12): the print view (?print=1, what the print button lays
// out) of the district and of one branch, printed to PDF by Chromium on A4 landscape, holds the
// organisation's name, the month, the figures and every row of its lists (not one page of
// them), no row or small panel is cut between two pages, and every page's footer gives the month,
// the time and the version of the data and the page number.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { chartsDrawn, inLayout, wallReady, watchProblems } from './wall';

/** `2026-03` as the wall prints it: `2026年3月`. */
function monthZh(month: string): string {
  const [y, m] = month.split('-');
  return `${y}年${Number(m)}月`;
}

/** The text of a PDF, one string per page (pdftotext, poppler-utils). */
function pdfPages(file: string): string[] {
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).split('\f').filter((p) => p.trim() !== '');
}

/** Prints the view in the page to a PDF and returns its pages' text. */
async function printed(page: Page, testInfo: TestInfo, name: string): Promise<string[]> {
  const version = await wallReady(page);
  await inLayout(page, 'briefing');
  await chartsDrawn(page, version);
  await expect(page.getByTestId('wall')).toHaveClass(/is-print/);
  await page.emulateMedia({ media: 'print' });
  // rows, table rows and the panels that fit on a page are never cut
  const cuttable = await page.evaluate(() =>
    Array.from(document.querySelectorAll('.row, .table tr, .feed-item, .matrix-row, .kpi, .trend, .donut'))
      .filter((el) => getComputedStyle(el).breakInside !== 'avoid')
      .map((el) => el.className),
  );
  expect(cuttable, 'rows that may be cut between pages').toEqual([]);
  const pdf = await page.pdf({ printBackground: true, preferCSSPageSize: true });
  const file = testInfo.outputPath(`${name}.pdf`);
  writeFileSync(file, pdf);
  await testInfo.attach(`${name}.pdf`, { path: file, contentType: 'application/pdf' });
  const pages = pdfPages(file);
  await testInfo.attach(`${name}.txt`, { body: pages.join('\n\f\n'), contentType: 'text/plain' });
  return pages;
}

/** The organisation in view, its month and a headline figure, as the page shows them. */
async function facts(page: Page): Promise<{ org: string; month: string; members: string; index: string }> {
  return {
    org: (await page.getByTestId('crumb').last().locator('.crumb-link').innerText()).trim(),
    month: await page.getByTestId('month-select').inputValue(),
    members: (await page.getByTestId('kpi-members').locator('.kpi-number').innerText()).trim(),
    index: (await page.getByTestId('kpi-mean-index').locator('.kpi-number').innerText()).trim(),
  };
}

test('the district printed to PDF', async ({ page }, testInfo) => {
  const problems = watchProblems(page);
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto('/?print=1');
  const pages = await printed(page, testInfo, 'district');
  const f = await facts(page);
  const text = pages.join('\n');
  expect(text).toContain(f.org);
  expect(text).toContain(monthZh(f.month));
  expect(text).toContain(f.members);
  expect(text).toContain(f.index);
  // every page's footer: the month, the time and the version of the data, and the page number
  const version = (await page.getByTestId('wall').getAttribute('data-version'))!;
  expect(pages.length, 'pages').toBeGreaterThan(1);
  pages.forEach((p, i) => {
    expect(p, `footer of page ${i + 1}`).toContain(`统计月份：${monthZh(f.month)}`);
    expect(p, `footer of page ${i + 1}`).toContain(`数据版本：${version}`);
    expect(p, `footer of page ${i + 1}`).toMatch(/数据时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    expect(p, `footer of page ${i + 1}`).toMatch(new RegExp(`第\\s*${i + 1}\\s*页\\s*/\\s*共\\s*${pages.length}\\s*页`));
  });
  // every child is listed, not the first page of them
  const snapshot = await (await page.request.get('/api/v1/snapshot')).json();
  const names = await page.getByTestId('child-row').locator('.row-name').allInnerTexts();
  expect(names.length).toBe(snapshot.children.length);
  for (const n of names) expect(text, `child ${n}`).toContain(n.trim());
  expect(problems, problems.join('\n')).toEqual([]);
});

test('a branch printed to PDF, and the print button', async ({ page }, testInfo) => {
  const problems = watchProblems(page);
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto('/');
  await wallReady(page);
  // down to an organisation that lists its members
  for (let level = 0; level < 5 && (await page.getByTestId('member-row').count()) === 0; level++) {
    await page.getByTestId('child-row').first().click();
    await expect(page.getByTestId('crumb')).toHaveCount(level + 2);
  }
  const path = new URL(page.url()).pathname;
  const snapshot = await (await page.request.get(`/api/v1/snapshot?org=${path.split('/').pop()}`)).json();

  // the print button lays the view out whole, opens the print dialog and goes back
  await page.evaluate(() => {
    (window as unknown as { printed: number }).printed = 0;
    window.print = () => {
      const w = window as unknown as { printed: number; rowsWhilePrinting: number };
      w.printed++;
      w.rowsWhilePrinting = document.querySelectorAll('[data-testid="member-row"]').length;
    };
  });
  await page.getByTestId('print').click();
  await expect.poll(() => page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
  const whilePrinting = await page.evaluate(() => (window as unknown as { rowsWhilePrinting: number }).rowsWhilePrinting);
  expect(whilePrinting, 'member rows while printing').toBe(snapshot.members.length);
  await expect(page.getByTestId('wall')).not.toHaveClass(/is-print/);

  await page.goto(`${path}?print=1`);
  const pages = await printed(page, testInfo, 'branch');
  const f = await facts(page);
  const text = pages.join('\n');
  expect(text).toContain(f.org);
  expect(text).toContain(monthZh(f.month));
  expect(text).toContain(f.members);
  const members = await page.getByTestId('member-row').locator('.row-name').allInnerTexts();
  expect(members.length).toBe(snapshot.members.length);
  for (const n of members) expect(text, `member ${n}`).toContain(n.trim());
  expect(problems, problems.join('\n')).toEqual([]);
});
