// Drill-down by clicking (list rows and chart bars), back up by the breadcrumb, the member
// view, the month selector and rotation mode.
import { expect, test } from '@playwright/test';
import { chartsDrawn, orgInView, wallReady, watchProblems } from './wall';

test('drill three levels down by clicking, open a member, and go back up by the breadcrumb', async ({ page }) => {
  const problems = watchProblems(page);
  await page.goto('/');
  await wallReady(page);
  const district = await orgInView(page);
  // drilling changes the data of the page in view, it does not build a new page
  await page.getByTestId('chart-trend-1').evaluate((c) => ((c as unknown as { mark: string }).mark = 'kept'));

  // three levels of organisations, then a member: while a deeper level is needed, the
  // largest child that has children of its own (a street or town, not a lone branch)
  const path: string[] = [];
  for (let level = 1; level <= 3; level++) {
    await expect(page.getByTestId('child-row').first(), `children at level ${level}`).toBeVisible();
    const rows = await page.getByTestId('child-row').evaluateAll((els) =>
      els.map((e) => ({
        id: e.getAttribute('data-org-id')!,
        deeper: e.getAttribute('data-has-children') === 'true',
        members: Number(e.querySelector('.row-figure')?.textContent?.replace(/,/g, '') ?? 0),
      })),
    );
    const deeper = rows.filter((r) => r.deeper).sort((a, b) => b.members - a.members);
    const id = level < 3 && deeper.length > 0 ? deeper[0].id : rows[0].id;
    const row = page.locator(`[data-testid="child-row"][data-org-id="${id}"]`);
    await row.click();
    await expect(page).toHaveURL(new RegExp(`/org/${id}$`));
    await expect(page.getByTestId('crumb').last()).toHaveAttribute('data-org-id', id);
    await expect(page.getByTestId('crumb')).toHaveCount(level + 1);
    path.push(id);
    expect(await page.getByTestId('chart-trend-1').evaluate((c) => (c as unknown as { mark?: string }).mark)).toBe('kept');
  }

  // a member of the organisation in view (its list, or the leaderboard of its subtree)
  const memberRow = page.getByTestId('member-row').or(page.getByTestId('leaderboard-row')).first();
  const member = (await memberRow.getAttribute('data-member-id'))!;
  await memberRow.click();
  await expect(page).toHaveURL(new RegExp(`/member/${member}$`));
  await expect(page.getByTestId('member-name')).not.toBeEmpty();
  await expect(page.getByTestId('crumb-tail')).toBeVisible();
  const v = await wallReady(page);
  await chartsDrawn(page, v);
  await expect(page.getByTestId('trace-row').first().or(page.getByText('本月无积分事件'))).toBeVisible();

  // up one step to the member's organisation, then to the first level, then home
  await page.getByTestId('crumb').last().locator('a').click();
  await expect(page).toHaveURL(/\/org\//);
  await page.locator(`[data-testid="crumb"][data-org-id="${path[0]}"] a`).click();
  await expect(page).toHaveURL(new RegExp(`/org/${path[0]}$`));
  await expect(page.getByTestId('crumb')).toHaveCount(2);
  await page.getByTestId('crumb').first().locator('a').click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('crumb')).toHaveCount(1);
  expect(await orgInView(page)).toBe(district);

  expect(problems, problems.join('\n')).toEqual([]);
});

test('a click on a bar opens that child', async ({ page }) => {
  const problems = watchProblems(page);
  await page.goto('/');
  const version = await wallReady(page);
  await chartsDrawn(page, version);
  const first = (await page.getByTestId('child-row').first().getAttribute('data-org-id'))!;
  const canvas = page.getByTestId('chart-child-index');
  const row = (await page.getByTestId('child-row').first().boundingBox())!;
  const box = (await canvas.boundingBox())!;
  // level with the first row, in the middle of the chart
  await page.mouse.click(box.x + box.width * 0.3, row.y + row.height / 2);
  await expect(page).toHaveURL(new RegExp(`/org/${first}$`));
  await expect(page.getByTestId('crumb').last()).toHaveAttribute('data-org-id', first);
  expect(problems, problems.join('\n')).toEqual([]);
});

test('the month selector puts the month in the URL and the view follows', async ({ page }) => {
  const problems = watchProblems(page);
  await page.goto('/');
  await wallReady(page);
  const select = page.getByTestId('month-select');
  const options = await select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  test.skip(options.length < 2, 'only one month of data');
  const other = options[1];
  await select.selectOption(other);
  await expect(page).toHaveURL(new RegExp(`\\?month=${other}$`));
  await expect(select).toHaveValue(other);
  // drilling keeps the month
  const row = page.getByTestId('child-row').first();
  const id = (await row.getAttribute('data-org-id'))!;
  await row.click();
  await expect(page).toHaveURL(new RegExp(`/org/${id}\\?month=${other}$`));
  await expect(page.getByTestId('month-select')).toHaveValue(other);
  expect(problems, problems.join('\n')).toEqual([]);
});

test('rotation mode cycles through the children and wraps around', async ({ page }) => {
  const problems = watchProblems(page);
  await page.goto('/');
  await wallReady(page);
  const children = await page.getByTestId('child-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-org-id')));
  test.skip(children.length < 2, 'the district has fewer than two children on its first page');

  await page.goto('/?rotate=1');
  await wallReady(page);
  await expect(page.getByTestId('header-note')).toContainText('轮播');
  const seen: string[] = [];
  for (let i = 0; i < 2; i++) {
    await expect.poll(() => orgInView(page), { timeout: 5000, intervals: [50] }).toBe(children[i]);
    seen.push(children[i]!);
  }
  // the URL stays the bookmark of the rotation
  await expect(page).toHaveURL(/\/\?rotate=1$/);
  expect(seen).toEqual(children.slice(0, 2));

  // after the last child it starts again with the first
  const note = page.getByTestId('header-note');
  const count = Number((await note.innerText()).match(/\/(\d+)/)![1]);
  await expect(note).toContainText(`${count}/${count}`, { timeout: (count + 2) * 1500 });
  await expect(note).toContainText(`1/${count}`, { timeout: 3000 });
  await expect.poll(() => orgInView(page), { intervals: [50] }).toBe(children[0]);
  expect(problems, problems.join('\n')).toEqual([]);
});
