// People and access (docs/RULES.md §10) in the browser: without a credential the wall sends you
// to the login page; logging in brings you back where you were going and logging out ends the
// session; the kiosk link shows the wall with member names masked.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { KIOSK } from '../global-setup';
import { wallReady } from './wall';

const FIRST_RUN = process.env.VANGUARD_FIRST_RUN!;

function field(key: string): string {
  const line = readFileSync(FIRST_RUN, 'utf8').split('\n').find((l) => l.startsWith(`${key}: `))!;
  return line.slice(key.length + 2).trim();
}

test.describe('access', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('no credential: the login page; logging in returns to the page asked for; logout ends it', async ({ page }) => {
    await page.goto('/?month=');
    await expect(page).toHaveURL(/\/login\?next=/);
    await expect(page.getByTestId('login-form')).toBeVisible();
    await page.locator('#login').fill('admin');
    await page.locator('#password').fill('not the password');
    await page.getByTestId('login-submit').click();
    await expect(page.getByTestId('login-error')).toContainText('用户名或密码错误');

    await page.goto('/');
    await page.locator('#login').fill(field('login'));
    await page.locator('#password').fill(field('password'));
    await page.getByTestId('login-submit').click();
    await expect(page).toHaveURL(/\/$/);
    await wallReady(page);
    await expect(page.getByTestId('signed-in')).toContainText('admin');

    await page.getByTestId('logout').click();
    await expect(page).toHaveURL(/\/login/);
    const res = await page.request.get('/api/v1/session');
    expect(res.status()).toBe(401);
  });

  test('the kiosk link shows the wall with member names masked', async ({ page }) => {
    const token = readFileSync(KIOSK, 'utf8').trim();
    await page.goto(`/kiosk?token=${token}`);
    await expect(page).toHaveURL(/\/$/);
    await wallReady(page);
    await expect(page.getByTestId('signed-in')).toContainText('大屏');
    await expect(page.getByTestId('logout')).toHaveCount(0);
    const lb = await page.request.get('/api/v1/rankings?limit=20');
    expect(lb.status()).toBe(200);
    const rows = (await lb.json()).rows as { name: string }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect([...r.name].slice(1).every((c) => c === '*')).toBe(true);
    // the names on the wall's leaderboard are the masked ones
    const shown = await page.getByTestId('wall').innerText();
    expect(shown).toContain(rows[0].name);
  });
});
