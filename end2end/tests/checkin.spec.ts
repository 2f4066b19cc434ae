// QR check-in (docs/RULES.md §10) across two browsers: a secretary opens check-in for a new
// activity and shows the code; a member on a 390 × 844 phone scans it (logging in on the way),
// sees the point, and appears on the secretary's roll; the wall's view of that member (an
// admin's page, open all along) shows the activity without a reload.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { wallReady } from './wall';

const PASSWORD = 'e2e password 123';

async function addAccount(request: APIRequestContext, origin: string, body: Record<string, string>): Promise<void> {
  // A write carried by a cookie comes with the server's own Origin (the access layer checks it).
  const res = await request.post('/api/v1/accounts', { data: { password: PASSWORD, ...body }, headers: { Origin: origin } });
  expect(res.status(), await res.text()).toBe(201);
}

test('a member checks in from the code on the secretary page and sees the point', async ({ page, browser, baseURL }) => {
  // Someone to check in, and their branch (as the admin of the default storage state).
  const rankings = await (await page.request.get('/api/v1/rankings?limit=1')).json();
  const { member_id: memberId, org_id: orgId, name } = rankings.rows[0] as { member_id: string; org_id: string; name: string };
  const suffix = Date.now().toString(36);
  await addAccount(page.request, baseURL!, { login: `sec-${suffix}`, role: 'secretary', org_id: orgId });
  await addAccount(page.request, baseURL!, { login: `mem-${suffix}`, role: 'member', org_id: orgId, member_id: memberId });

  // The wall's view of the member, open before anything happens.
  await page.goto(`/member/${memberId}`);
  await wallReady(page);
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

  // The secretary creates the activity and shows its code.
  const secretary = await browser.newContext({ storageState: { cookies: [], origins: [] }, viewport: { width: 1280, height: 720 } });
  const sec = await secretary.newPage();
  expect((await sec.request.post('/api/v1/session', { data: { login: `sec-${suffix}`, password: PASSWORD } })).status()).toBe(200);
  await sec.goto('/checkin');
  await expect(sec.getByTestId('phone')).toHaveAttribute('data-hydrated', 'true');
  const title = `端到端主题党日 ${suffix}`;
  await sec.getByTestId('activity-title').fill(title);
  await sec.getByTestId('activity-submit').click();
  await expect(sec).toHaveURL(/\/checkin\/ACT-/);
  await expect(sec.getByTestId('roll-title')).toHaveText(title);
  await expect(sec.getByTestId('qr')).toHaveAttribute('data-url', /\/c\/[A-Za-z0-9_-]+$/);
  await expect(sec.locator('.qr-code svg')).toBeVisible();
  const url = new URL((await sec.getByTestId('qr').getAttribute('data-url'))!);
  await expect(sec.getByTestId('roll-count')).toContainText('0 /');

  // The member scans it on the phone: logs in, comes back, is checked in.
  const phone = await browser.newContext({ storageState: { cookies: [], origins: [] }, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const mem = await phone.newPage();
  await mem.goto(url.pathname);
  await expect(mem).toHaveURL(/\/login\?next=%2Fc%2F|\/login\?next=\/c\//);
  await mem.locator('#login').fill(`mem-${suffix}`);
  await mem.locator('#password').fill(PASSWORD);
  await mem.getByTestId('login-submit').click();
  await expect(mem).toHaveURL(/\/me\?checkin=new/);
  await expect(mem.getByTestId('checkin-points')).toHaveText('+1 分');
  await expect(mem.getByTestId('checkin-result')).toContainText(title);
  await expect(mem.getByTestId('me-trace')).toContainText(title);
  // Nothing wider than the phone.
  expect(await mem.evaluate(() => document.querySelector('.phone')!.scrollWidth)).toBeLessThanOrEqual(390);

  // Scanning the same code again is "already", never a second point.
  await mem.goto(url.pathname);
  await expect(mem).toHaveURL(/\/me\?checkin=already/);

  // The secretary's roll shows the name, live.
  await expect(sec.getByTestId('roll-names')).toContainText(name);
  await expect(sec.getByTestId('roll-count')).toContainText('1 /');

  // The wall's member view updated in place (same document: the marker survived).
  await expect(page.getByTestId('wall')).toContainText(title, { timeout: 20_000 });
  expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);

  await secretary.close();
  await phone.close();
});
