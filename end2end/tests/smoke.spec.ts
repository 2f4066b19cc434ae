import { expect, test } from '@playwright/test';
import { chartsDrawn, wallReady, watchProblems } from './wall';

const TITLE = '锋领指数 · 智慧党建指挥中心';
const KIND_LABELS = ['区', '街道', '镇', '乡', '社区', '村', '单位', '党委', '党总支', '党支部'];

test('district view renders, hydrates and shows its figures and children', async ({ page }) => {
  const problems = watchProblems(page);
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);

  const version = await wallReady(page);
  await expect(page).toHaveTitle(TITLE);
  await expect(page.getByTestId('title')).toHaveText(TITLE);

  // headline figures are numbers
  for (const id of ['kpi-orgs', 'kpi-grassroots', 'kpi-members', 'kpi-records', 'kpi-mean-index']) {
    await expect(page.getByTestId(id).locator('.kpi-number')).toHaveText(/^-?[\d,]+(\.\d+)?$/);
  }
  const members = Number((await page.getByTestId('kpi-members').locator('.kpi-number').innerText()).replace(/,/g, ''));
  expect(members).toBeGreaterThan(0);

  // the breadcrumb holds the district alone
  await expect(page.getByTestId('crumb')).toHaveCount(1);

  // the children are listed with their kind
  const rows = page.getByTestId('child-row');
  await expect(rows.first()).toBeVisible();
  for (const tag of await rows.locator('.row-tag').allInnerTexts()) expect(KIND_LABELS).toContain(tag.trim());

  // panels with data
  await expect(page.getByTestId('leaderboard-row').first()).toBeVisible();
  await expect(page.getByTestId('month-select')).toBeVisible();
  await chartsDrawn(page, version);

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

test('an unknown organisation says so without calling the wall stale', async ({ page }) => {
  const problems = watchProblems(page);
  await page.goto('/org/NO-SUCH-ORG');
  await expect(page.getByTestId('wall')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('load-error')).toContainText('未找到');
  // the way home is on the page
  await page.getByTestId('load-error').getByRole('link').click();
  await expect(page).toHaveURL(/\/$/);
  await wallReady(page);
  await expect(page.getByTestId('load-error')).toHaveCount(0);
  await expect(page.getByTestId('stale-badge')).toHaveCount(0);
  expect(problems, problems.join('\n')).toEqual([]);
});
