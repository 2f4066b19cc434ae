import { expect, test, type ConsoleMessage } from '@playwright/test';

const TITLE = '锋领指数 · 智慧党建指挥中心';
const KIND_LABELS = ['区', '街道', '镇', '乡', '社区', '村', '单位', '党委', '党总支', '党支部'];

test('district page renders, hydrates and lists the organisation tree', async ({ page }, testInfo) => {
  const problems: string[] = [];
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) =>
    problems.push(`requestfailed: ${req.url()} ${req.failure()?.errorText ?? ''}`),
  );

  const response = await page.goto('/');
  expect(response?.status()).toBe(200);

  // the wasm bundle has loaded and hydrated the server-rendered page
  await expect(page.getByTestId('wall')).toHaveAttribute('data-hydrated', 'true');

  await expect(page).toHaveTitle(TITLE);
  await expect(page.getByTestId('title')).toHaveText(TITLE);

  const top = page.getByTestId('org-top');
  await expect(top).toBeVisible();
  const rows = top.getByTestId('org-row');
  await expect(rows.first()).toBeVisible();
  expect(await rows.count()).toBeGreaterThan(0);

  // every row carries a Chinese kind label; the first one is a root (normally the district)
  const kinds = await top.getByTestId('org-kind').allTextContents();
  expect(kinds.length).toBe(await rows.count());
  for (const kind of kinds) expect(KIND_LABELS).toContain(kind.trim());
  await expect(rows.first()).toHaveAttribute('data-depth', '0');

  const shot = await page.screenshot({ path: testInfo.outputPath('district.png') });
  await testInfo.attach('district', { body: shot, contentType: 'image/png' });

  expect(problems, problems.join('\n')).toEqual([]);
});

test('health check answers', async ({ request }) => {
  const res = await request.get('/healthz');
  expect(res.status()).toBe(200);
  expect(await res.text()).toBe('ok');
});

test('unknown paths get the 404 page', async ({ page }) => {
  const res = await page.goto('/no-such-page');
  expect(res?.status()).toBe(404);
  await expect(page.getByTestId('not-found')).toBeVisible();
});
