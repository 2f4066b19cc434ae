// Drill-down by clicking (list rows, chart bars and the slices of the three pies), back up by
// the breadcrumb, the member view, the month selector and rotation mode — on the 3:1 wall and
// on the 16:9 briefing canvas (issue 12), each chosen by the shape of the viewport.
import { expect, test, type Page } from '@playwright/test';
import { LAYOUTS, chartsDrawn, inLayout, orgInView, wallReady, watchProblems } from './wall';

/** Waits until the member rows are the first page of `want` (and none when `want` is empty). */
async function membersListed(page: Page, want: string[]): Promise<void> {
  const listed = () => page.getByTestId('member-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-member-id')));
  await expect
    .poll(async () => {
      const l = await listed();
      return want.length === 0 ? l.length === 0 : l.length > 0 && JSON.stringify(l) === JSON.stringify(want.slice(0, l.length));
    })
    .toBe(true);
}

for (const { layout, viewport } of LAYOUTS) {
  test.describe(`${layout} layout`, () => {
    test.use({ viewport });

    /** Opens `path` and waits for the wall in this layout. */
    async function open(page: Page, path: string): Promise<string> {
      await page.goto(path);
      const version = await wallReady(page);
      await inLayout(page, layout);
      return version;
    }

    test('drill three levels down by clicking, open a member, and go back up by the breadcrumb', async ({ page }) => {
      const problems = watchProblems(page);
      await open(page, '/');
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
      const version = await open(page, '/');
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
      await open(page, '/');
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
      await open(page, '/');
      const children = await page.getByTestId('child-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-org-id')));
      test.skip(children.length < 2, 'the district has fewer than two children on its first page');

      await open(page, '/?rotate=1');
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

    test('a slice of the lights lists its organisations and members, and the URL keeps it', async ({ page }) => {
      const problems = watchProblems(page);
      const version = await open(page, '/');
      await chartsDrawn(page, version);
      const pie = page.getByTestId('pie-member-lights');
      const red = pie.locator('[data-testid="legend-item"][data-key="red"]');
      const count = (key: string) => pie.locator(`[data-testid="legend-item"][data-key="${key}"] .legend-value`).innerText().then((t) => Number(t.replace(/,/g, '')));
      const [reds, yellows, greens] = [await count('red'), await count('yellow'), await count('green')];
      test.skip(reds === 0, 'no red members in the district');

      // the red slice on the canvas: half-way through its sweep clockwise from 12 o'clock, on the ring
      const canvas = page.getByTestId('chart-member-lights');
      const box = (await canvas.boundingBox())!;
      const side = await canvas.evaluate((c) => (c as HTMLCanvasElement).width);
      const outer = side / 2 - 8;
      const angle = ((reds / (reds + yellows + greens)) * Math.PI);
      const r = outer * 0.78 * (box.width / side);
      await page.mouse.click(box.x + box.width / 2 + r * Math.sin(angle), box.y + box.height / 2 - r * Math.cos(angle));
      await expect(page).toHaveURL(/\/\?light=red$/);
      await expect(page.getByTestId('compare').locator('.panel-aside')).toContainText('红灯');
      await expect(red).toHaveClass(/\bon\b/);

      // the children with red members, the most first
      const expected = async (org?: string) => {
        const snap = await (await page.request.get(`/api/v1/snapshot${org ? `?org=${org}` : ''}`)).json();
        return snap.children
          .filter((c: { red_members: number }) => c.red_members > 0)
          .sort((a: { red_members: number }, b: { red_members: number }) => b.red_members - a.red_members)
          .map((c: { org_id: string }) => c.org_id);
      };
      const shown = () => page.getByTestId('child-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-org-id')));
      const want = await expected();
      await expect.poll(shown).toEqual(want.slice(0, (await shown()).length));
      expect((await shown()).length).toBeGreaterThan(0);

      // a reload keeps the filter
      await page.reload();
      await wallReady(page);
      await expect.poll(shown).toEqual(want.slice(0, (await shown()).length));
      await expect(page.getByTestId('compare').locator('.panel-aside')).toContainText('红灯');

      // drilling leaves it behind; at the organisation the same slice lists its red members or children
      const first = want[0];
      await page.locator(`[data-testid="child-row"][data-org-id="${first}"]`).click();
      await expect(page).toHaveURL(new RegExp(`/org/${first}$`));
      await expect(page.getByTestId('crumb').last()).toHaveAttribute('data-org-id', first);
      // down the children with the most red members to one that holds members directly
      let org = first;
      for (let level = 0; level < 5; level++) {
        const held = (await (await page.request.get(`/api/v1/snapshot?org=${org}`)).json()).members.length;
        if (held > 0) break;
        org = (await expected(org))[0];
        await page.locator(`[data-testid="child-row"][data-org-id="${org}"]`).click();
        await expect(page).toHaveURL(new RegExp(`/org/${org}$`));
        await expect(page.getByTestId('crumb').last()).toHaveAttribute('data-org-id', org);
      }
      await expect(page.getByTestId('member-row').first()).toBeVisible();
      const snap = await (await page.request.get(`/api/v1/snapshot?org=${org}`)).json();
      const redMembers = snap.members.filter((m: { light: string }) => m.light === 'red').map((m: { member_id: string }) => m.member_id);
      await red.locator('.legend-name').click();
      await expect(page).toHaveURL(/\?light=red$/);
      await expect(red).toHaveClass(/\bon\b/);
      // the members held directly with a red light, and nothing else
      await membersListed(page, redMembers);
      for (const cls of await page.getByTestId('member-row').locator('.dot').evaluateAll((ds) => ds.map((d) => d.className))) expect(cls).toContain('red');
      // the second click clears it
      await red.locator('.legend-name').click();
      await expect(page).not.toHaveURL(/light=/);
      await expect(page.getByTestId('compare').locator('.panel-aside')).toHaveText('');
      expect(problems, problems.join('\n')).toEqual([]);
    });
    test("the categories' and the grades' slices list their organisations and members", async ({ page }) => {
      const problems = watchProblems(page);
      type Child = { org_id: string; category_members: Record<string, number>; grade_members: Record<string, number> };
      type Member = { member_id: string; category: string; grade: string | null };
      type Slice = { key: string; zh: string; value: number };
      // The newest month with evaluation grades (a month's grades are the last December's: a
      // check-in of this month in December, as the check-in test makes, has none yet).
      const snapshot = async (month: string, org?: string) =>
        (await page.request.get(`/api/v1/snapshot?month=${month}${org ? `&org=${org}` : ''}`)).json();
      const newest = await (await page.request.get('/api/v1/snapshot')).json();
      let month = '';
      for (const m of [...newest.available_months].reverse() as string[]) {
        if ((await snapshot(m)).grades.some((g: Slice) => g.value > 0)) {
          month = m;
          break;
        }
      }
      expect(month, 'a month with evaluation grades').not.toBe('');
      const version = await open(page, `/?month=${month}`);
      await chartsDrawn(page, version);
      const shown = () => page.getByTestId('child-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-org-id')));
      const aside = page.getByTestId('compare').locator('.panel-aside');
      /** The children with members in the slice, the most first (ties in the snapshot's order). */
      const wanted = (children: Child[], count: (c: Child) => number) =>
        children
          .map((c, i) => ({ c, i }))
          .filter(({ c }) => count(c) > 0)
          .sort((a, b) => count(b.c) - count(a.c) || a.i - b.i)
          .map(({ c }) => c.org_id);
      const district = await snapshot(month);

      // the category with the most members: its legend entry filters the list, and the URL holds it
      const category = [...district.categories].sort((a: Slice, b: Slice) => b.value - a.value)[0];
      const cats = page.getByTestId('pie-categories');
      await cats.locator(`[data-testid="legend-item"][data-key="${category.key}"] .legend-name`).click();
      await expect(page).toHaveURL(new RegExp(`\\?month=${month}&category=${category.key}$`));
      await expect(aside).toContainText(category.zh);
      const byCategory = wanted(district.children, (c) => c.category_members[category.key] ?? 0);
      await expect.poll(shown).toEqual(byCategory.slice(0, (await shown()).length));
      expect((await shown()).length).toBeGreaterThan(0);
      // a child's counts add up to the pie's
      const sum = (f: (c: Child) => number) => district.children.reduce((t: number, c: Child) => t + f(c), 0);
      expect(sum((c) => c.category_members[category.key] ?? 0)).toBe(category.value);

      // a grade's slice replaces the category's filter
      const grade = [...district.grades].filter((g: Slice) => g.value > 0).sort((a: Slice, b: Slice) => b.value - a.value)[0];
      const grades = page.getByTestId('pie-grades');
      await grades.locator(`[data-testid="legend-item"][data-key="${grade.key}"] .legend-name`).click();
      await expect(page).toHaveURL(new RegExp(`\\?month=${month}&grade=${grade.key}$`));
      await expect(aside).toContainText(grade.zh);
      await expect(grades.locator(`[data-testid="legend-item"][data-key="${grade.key}"]`)).toHaveClass(/\bon\b/);
      await expect(cats.locator('[data-testid="legend-item"].on')).toHaveCount(0);
      const byGrade = wanted(district.children, (c) => c.grade_members[grade.key] ?? 0);
      await expect.poll(shown).toEqual(byGrade.slice(0, (await shown()).length));
      expect(sum((c) => c.grade_members[grade.key] ?? 0)).toBe(grade.value);

      // down to an organisation that holds members directly: the grade's slice lists those with it
      let org = byGrade[0];
      for (let level = 0; level < 6; level++) {
        await page.goto(`/org/${org}?month=${month}&grade=${grade.key}`);
        await wallReady(page);
        await inLayout(page, layout);
        const snap = await snapshot(month, org);
        if (snap.members.length > 0) {
          await membersListed(page, snap.members.filter((m: Member) => m.grade === grade.key).map((m: Member) => m.member_id));
          // every member row says its category and grade, as the pies count them
          for (const m of snap.members as Member[]) expect(m.category, m.member_id).not.toBe('');
          break;
        }
        org = wanted(snap.children, (c) => c.grade_members[grade.key] ?? 0)[0];
      }
      // the second click clears it
      await grades.locator(`[data-testid="legend-item"][data-key="${grade.key}"] .legend-name`).click();
      await expect(page).not.toHaveURL(/grade=/);
      await expect(aside).toHaveText('');
      expect(problems, problems.join('\n')).toEqual([]);
    });
  });
}
