// Logs in once before the tests (docs/RULES.md §10: nothing but the login page answers without a
// credential). scripts/test.sh points VANGUARD_FIRST_RUN at the file the server's first run
// wrote (the admin's password and the root's kiosk token); the admin's session cookie is
// saved as the tests' storage state, and the kiosk token is kept for the kiosk test.
import { request, type FullConfig } from '@playwright/test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const STATE = join(__dirname, '.auth', 'admin.json');
export const KIOSK = join(__dirname, '.auth', 'kiosk.txt');

/** `key: value` lines of the first-run file. */
function field(text: string, key: string): string {
  const line = text.split('\n').find((l) => l.startsWith(`${key}: `));
  if (!line) throw new Error(`no "${key}:" line in the first-run file`);
  return line.slice(key.length + 2).trim();
}

export default async function globalSetup(config: FullConfig): Promise<void> {
  const file = process.env.VANGUARD_FIRST_RUN;
  if (!file) throw new Error('VANGUARD_FIRST_RUN must name the first-run file of the server under test');
  const text = readFileSync(file, 'utf8');
  const baseURL = config.projects[0].use.baseURL as string;
  const ctx = await request.newContext({ baseURL });
  const res = await ctx.post('/api/v1/session', { data: { login: field(text, 'login'), password: field(text, 'password') } });
  if (res.status() !== 200) throw new Error(`logging in as admin: ${res.status()} ${await res.text()}`);
  mkdirSync(dirname(STATE), { recursive: true });
  await ctx.storageState({ path: STATE });
  await ctx.dispose();
  writeFileSync(KIOSK, field(text, 'kiosk URL').replace(/^\/kiosk\?token=/, ''));
}
