// The operations loop in the browser (docs/RULES.md §11): a branch secretary acknowledges and
// resolves a warning on the workbench /work, and the wall's 实时预警 feed (an admin's view of
// that branch, open all along) shows each new state without a reload.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { wallReady } from './wall';

const PASSWORD = 'e2e password 123';

type Warning = { warning_id: number; org_id: string; subject_name: string; state: string };

/** A branch with an open warning at the newest month, and the first entry of its feed. */
async function branchWithWarning(request: APIRequestContext): Promise<{ org: string; first: Warning; active: number }> {
  const month = (await (await request.get('/api/v1/version')).json()).latest_month as string;
  let open: Warning[] = [];
  await expect
    .poll(async () => (open = (await (await request.get(`/api/v1/warnings?month=${month}&state=open&limit=1`)).json()).rows).length, {
      message: 'warnings raised',
    })
    .toBeGreaterThan(0);
  // The feed of that warning's organisation: its first entry is an open one (active first).
  const org = open[0].org_id;
  const feed = await (await request.get(`/api/v1/warnings?month=${month}&org=${org}`)).json();
  expect(feed.rows[0].state).toBe('open');
  return { org, first: feed.rows[0] as Warning, active: feed.active as number };
}

test('a secretary handles a warning on /work and the wall follows', async ({ page, browser, baseURL }) => {
  const { org, first, active } = await branchWithWarning(page.request);
  const suffix = Date.now().toString(36);
  const login = `sec-work-${suffix}`;
  const res = await page.request.post('/api/v1/accounts', {
    data: { login, password: PASSWORD, role: 'secretary', org_id: org },
    headers: { Origin: baseURL! },
  });
  expect(res.status(), await res.text()).toBe(201);

  // The wall's view of the branch, open before anything happens.
  await page.goto(`/org/${org}`);
  await wallReady(page);
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
  const row = page.locator(`[data-testid="warning-row"][data-warning-id="${first.warning_id}"]`);
  await expect(page.getByTestId('warning-row').first()).toHaveAttribute('data-warning-id', String(first.warning_id));
  await expect(row).toHaveAttribute('data-state', 'open');
  await expect(page.getByTestId('warnings')).toContainText(`待处理 ${active} `);

  // The secretary, on a desk screen, opens the workbench from the pushed link.
  const desk = await browser.newContext({ storageState: { cookies: [], origins: [] }, viewport: { width: 1280, height: 800 } });
  const sec = await desk.newPage();
  expect((await sec.request.post('/api/v1/session', { data: { login, password: PASSWORD } })).status()).toBe(200);
  await sec.goto(`/work?warning=${first.warning_id}`);
  await expect(sec.getByTestId('phone')).toHaveAttribute('data-hydrated', 'true');
  const card = sec.locator(`[data-testid="work-warning"][data-warning-id="${first.warning_id}"]`);
  await expect(card).toHaveClass(/focus/);
  await expect(card).toContainText(first.subject_name);
  await expect(sec.getByTestId('work-checkup')).toContainText('支部体检表');

  // Acknowledge: the card and the wall say 整改中 (the entry stays where it is).
  await card.getByTestId('ack').click();
  await expect(card).toHaveAttribute('data-state', 'acknowledged');
  await expect(row).toHaveAttribute('data-state', 'acknowledged');

  // Resolve needs a note; with one, the warning is resolved, here and on the wall.
  await card.getByTestId('note').fill('已约谈并完成整改');
  await card.getByTestId('resolve').click();
  await expect(card).toHaveAttribute('data-state', 'resolved');
  await expect(card).toContainText('已约谈并完成整改');
  // The wall counts one fewer to handle (the entry itself moves behind the active ones).
  await expect(page.getByTestId('warnings')).toContainText(`待处理 ${active - 1} `);
  // The same document: the wall was never reloaded.
  expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(7);

  // A phone-sized workbench has nothing wider than the screen.
  await sec.setViewportSize({ width: 390, height: 844 });
  expect(await sec.evaluate(() => document.querySelector('.phone')!.scrollWidth)).toBeLessThanOrEqual(390);
  await desk.close();
});

test("a secretary finds the month's reports on /work and prints them", async ({ browser, page, baseURL }) => {
  // `serve` generates the month that is due when it starts (the 5th, 08:00, with catch-up).
  let branch: { org_id: string; subject_name: string; url: string; pdf: string } | undefined;
  await expect
    .poll(async () => (branch = (await (await page.request.get('/api/v1/reports?kind=branch&limit=1')).json()).rows[0]) !== undefined, {
      message: 'the monthly reports generated at start-up',
      timeout: 60_000,
    })
    .toBe(true);
  const login = `sec-rep-${Date.now().toString(36)}`;
  const res = await page.request.post('/api/v1/accounts', {
    data: { login, password: PASSWORD, role: 'secretary', org_id: branch!.org_id },
    headers: { Origin: baseURL! },
  });
  expect(res.status(), await res.text()).toBe(201);

  const desk = await browser.newContext({ storageState: { cookies: [], origins: [] }, viewport: { width: 1280, height: 800 } });
  const sec = await desk.newPage();
  expect((await sec.request.post('/api/v1/session', { data: { login, password: PASSWORD } })).status()).toBe(200);
  await sec.goto('/work');
  await expect(sec.getByTestId('phone')).toHaveAttribute('data-hydrated', 'true');
  const shelf = sec.getByTestId('work-reports');
  await expect(shelf.getByTestId('report-branch')).toContainText(`支部党建诊疗报告 · ${branch!.subject_name}`);
  await expect(shelf.getByTestId('report-member').first()).toBeVisible();
  // The resource library beside the 体检表, browsed by kind.
  const items = sec.getByTestId('library').getByTestId('library-item');
  await expect(items.first()).toBeVisible();
  const all = await items.count();
  await sec.getByTestId('library-kind').selectOption({ index: 1 });
  await expect.poll(async () => await sec.locator('[data-testid="library-item"]:visible').count()).toBeLessThan(all);
  const members = await shelf.getByTestId('report-members-pdf').locator('a').getAttribute('href');
  expect(members).toMatch(new RegExp(`^/reports/branch/${branch!.org_id}/\\d{4}-\\d{2}/members\\.pdf$`));

  // The printable page, and its PDF printed by the server's headless Chromium.
  await sec.goto(branch!.url);
  await expect(sec.getByTestId('branch-report')).toContainText('体检表');
  const pdf = await sec.request.get(branch!.pdf);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  expect((await pdf.body()).subarray(0, 4).toString()).toBe('%PDF');
  const book = await sec.request.get(members!);
  expect(book.status()).toBe(200);
  expect((await book.body()).subarray(0, 4).toString()).toBe('%PDF');
  await desk.close();
});
