// Servers and databases of a test's own, beside the shared server at VANGUARD_URL: a
// `vanguard serve` that a test stops and starts (the stale badge), on the shared database or
// on one the test seeds, and a PostgreSQL cluster the test stops and starts (a database
// outage). scripts/test.sh sets VANGUARD_BIN and VANGUARD_DB_URL.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from '@playwright/test';

export const BIN = process.env.VANGUARD_BIN;
export const DB = process.env.VANGUARD_DB_URL;
export const REPO = join(__dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** A `vanguard serve` of the test's own, on the shared database or on `db` (run in `cwd`). */
export class OwnServer {
  proc: ChildProcess | null = null;
  constructor(
    readonly port: number,
    readonly db: string = DB!,
    readonly cwd: string = REPO,
  ) {}
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.proc = spawn(BIN!, ['serve', '--db', this.db, '--addr', `127.0.0.1:${this.port}`], {
      cwd: this.cwd,
      // the site (wasm, styles) the repository's build made, whatever the working directory
      env: { LEPTOS_SITE_ROOT: join(REPO, 'target', 'site'), ...process.env, VANGUARD_DEV_ENDPOINTS: '1' },
      stdio: 'ignore',
    });
    // /readyz answers once the figures are computed
    for (let i = 0; i < 480; i++) {
      try {
        const res = await fetch(`${this.url}/readyz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`vanguard serve on ${this.url} did not come up`);
  }
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 5000);
    });
  }
}

/** A PostgreSQL cluster of the test's own, run as the postgres user (initdb refuses root). */
export class Cluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'vanguard-ui-pg-'));
  private constructor(
    readonly bin: string,
    readonly port: number,
  ) {}

  /** `null` where PostgreSQL's binaries or the postgres user are missing. */
  static async make(): Promise<Cluster | null> {
    const root = '/usr/lib/postgresql';
    if (!existsSync(root)) return null;
    const bin = readdirSync(root)
      .map((v) => join(root, v, 'bin'))
      .find((b) => existsSync(join(b, 'initdb')));
    if (!bin) return null;
    const c = new Cluster(bin, await freePort());
    chmodSync(c.dir, 0o755);
    if (spawnSync('chown', ['-R', 'postgres:postgres', c.dir]).status !== 0) return null;
    return c.pg('initdb', ['-D', c.data, '-A', 'trust', '-U', 'postgres', '--no-sync']) ? c : null;
  }

  get data(): string {
    return join(this.dir, 'data');
  }
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }
  private pg(tool: string, args: string[]): boolean {
    const r = spawnSync('runuser', ['-u', 'postgres', '--', join(this.bin, tool), ...args], { encoding: 'utf8' });
    if (r.status !== 0) console.log(`${tool}: ${r.stdout}${r.stderr}`);
    return r.status === 0;
  }
  start(): void {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    expect(this.pg('pg_ctl', ['-D', this.data, '-o', opts, '-w', '-l', join(this.data, 'log'), 'start']), 'pg_ctl start').toBe(true);
  }
  stop(): void {
    expect(this.pg('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']), 'pg_ctl stop').toBe(true);
  }
  remove(): void {
    this.pg('pg_ctl', ['-D', this.data, '-m', 'immediate', 'stop']);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A freshly seeded SQLite district (`vanguard seed`, `members`, 1 year, seed 7) served by a
 * server of its own, and the kiosk URL of its first run (§10): the same data, figures and
 * (masked) names on every run.
 */
export class SeededServer {
  readonly work = mkdtempSync(join(tmpdir(), 'vanguard-ui-seeded-'));
  readonly server: OwnServer;
  kiosk = '';
  private constructor(port: number) {
    this.server = new OwnServer(port, `sqlite://${join(this.work, 'seeded.db')}`, this.work);
  }
  static async start(members: number): Promise<SeededServer> {
    const s = new SeededServer(await freePort());
    const seeded = spawnSync(BIN!, ['seed', '--db', s.server.db, '--members', String(members), '--years', '1', '--seed', '7'], { cwd: s.work, encoding: 'utf8' });
    expect(seeded.status, seeded.stdout + seeded.stderr).toBe(0);
    await s.server.start();
    s.kiosk = kioskUrl(join(s.work, 'seeded.db.first-run.txt'));
    return s;
  }
  get url(): string {
    return this.server.url;
  }
  async stop(): Promise<void> {
    await this.server.stop();
    rmSync(this.work, { recursive: true, force: true });
  }
}

/** The `kiosk URL:` line of a first-run file (§10). */
export function kioskUrl(firstRun: string): string {
  const line = readFileSync(firstRun, 'utf8').split('\n').find((l) => l.startsWith('kiosk URL: '));
  if (!line) throw new Error(`no kiosk URL in ${firstRun}`);
  return line.slice('kiosk URL: '.length).trim();
}
