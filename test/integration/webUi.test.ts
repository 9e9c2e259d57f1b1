import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { devConfig } from '../../src/app/devConfig';
import { KabosuProcs } from '../helpers/kabosuProcs';
import { runConfiguredDaemon } from '../helpers/configuredDaemon';
import { freePort } from '../helpers/net';
import { collectErrors, launchChromium, seriousA11yViolations } from '../helpers/browser';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Code inside page.evaluate runs in the browser (the tsconfig has no DOM lib).
declare const document: any, window: any;

/**
 * The web UI in Debian's Chromium (playwright-core, headless) against a real daemon process:
 * first-boot wizard from a fresh data dir to the first accepted share, every page with live data
 * and no console errors (axe-core: no serious violations; 1280 px and 360 px screenshots), a
 * config change through the schema-driven form and a bad value's validation message (the CLI's
 * text), login, lockout, CSRF refusal and logout everywhere.
 * KABOSU_UPDATE_SCREENSHOTS=1 writes the screenshots to docs/screenshots/ (else to the temp dir).
 */
const PASSWORD = 'correct horse battery';
const PAGES = process.env.WEBUI_PAGES ? process.env.WEBUI_PAGES.split(',') : ['overview', 'boards', 'pools', 'tuning', 'thermal', 'history', 'events', 'config', 'system'];
/** Text each page shows once its live data is in. */
const READY: Record<string, string> = {
  overview: '[data-stat="accepted"]',
  boards: '.heatmap .cell',
  pools: 'td:has-text("(active)")',
  tuning: '[data-stat="tuning-state"]',
  thermal: '[data-stat="thermal-mode"]',
  history: '[data-testid="history-count"]',
  events: 'ol.events',
  config: 'details summary',
  system: '[data-stat="version"]',
};

const k = new KabosuProcs('kabosu-webui-');
let browser: Browser;
let base = '';
let poolPort = 0;
let desktop: BrowserContext;
const shotDir = process.env.KABOSU_UPDATE_SCREENSHOTS ? join(__dirname, '../../docs/screenshots') : join(k.dir, 'screenshots');

test.before(async () => {
  const httpPort = await freePort();
  poolPort = await freePort();
  const cfg = devConfig() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  cfg.device.id = 'webui';
  cfg.mining = { enabled: false }; // first boot: no pool yet, not mining
  cfg.pools = [];
  cfg.testPool = { ...cfg.testPool, port: poolPort, difficulty: 4096 };
  cfg.telemetry = { mqtt: { enabled: false } };
  cfg.api = { http: { enabled: true, host: '127.0.0.1', port: httpPort }, cgminer: { enabled: false } };
  await runConfiguredDaemon(k, cfg, httpPort);
  base = `http://127.0.0.1:${httpPort}`;
  browser = await launchChromium();
  mkdirSync(shotDir, { recursive: true });
});

test.after(async () => {
  await browser?.close();
  await k.cleanup();
});

const T0 = Date.now();
test('first boot: the wizard sets the admin password and a tested pool and ends with the first accepted share', async () => {
  desktop = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await desktop.newPage();
  const errors = collectErrors(page);
  await page.goto(base + '/');
  await page.getByLabel('Admin password (8 characters or more)').fill(PASSWORD);
  await page.getByLabel('Repeat the password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByLabel('Pool URL').fill(`stratum+tcp://127.0.0.1:${poolPort}`);
  await page.getByLabel('Worker (user)').fill('wizard.1');
  await page.getByRole('button', { name: 'Test connection' }).click();
  const probe = page.getByTestId('pool-test-result');
  await probe.waitFor({ timeout: 10_000 });
  assert.match(await probe.innerText(), /✓ connected, subscribed and authorized as wizard\.1/);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Tune for').selectOption('stock');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Time zone the dashboard shows').selectOption('Europe/Berlin');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Next' }).click(); // no telemetry
  await page.screenshot({ path: join(shotDir, 'wizard-1280.png') });
  await page.getByRole('button', { name: 'Save and start mining' }).click();
  const first = page.getByTestId('first-share');
  await first.waitFor({ timeout: 90_000 });
  assert.match(await first.innerText(), /first share accepted by main/);
  await page.screenshot({ path: join(shotDir, 'wizard-done-1280.png') });
  // the daemon mines on the wizard's pool; the password is stored hashed, never in clear
  const s = await (await fetch(`${base}/api/v1/status`)).json() as any;
  assert.ok(s.shares.accepted > 0 && s.pools[0].name === 'main', JSON.stringify(s.pools));
  const stored = readFileSync(join(k.dir, 'data', 'admin-password.json'), 'utf8');
  assert.not.ok(stored.includes(PASSWORD));
  assert.match(stored, /"kdf":"scrypt"/);
  const cfg = await (await fetch(`${base}/api/v1/config`)).json() as any;
  assert.is(cfg.api.http.ui.timeZone, 'Europe/Berlin');
  await page.getByRole('button', { name: 'Open the dashboard' }).click();
  await page.locator('[data-stat="accepted"]').waitFor();
  assert.equal(errors, []);
});

async function visit(page: Page, name: string): Promise<void> {
  await page.goto(`${base}/#/${name}`);
  await page.locator('.live.on').waitFor({ timeout: 10_000 });
  await page.locator(READY[name]).first().waitFor({ timeout: 15_000 });
}

test('every page renders live data with no console error, no serious axe violation, at 1280 px and 360 px', async () => {
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, bypassCSP: true, storageState: await desktop.storageState() });
  for (const [ctx, width] of [[desktop, 1280], [phone, 360]] as const) {
    const page = await ctx.newPage();
    const errors = collectErrors(page);
    for (const name of PAGES) {
      const t0 = Date.now();
      await visit(page, name);
      if (name === 'boards') {
        await page.locator('.heatmap .cell').first().click();
        await page.getByTestId('chip-detail').waitFor();
      }
      await page.screenshot({ path: join(shotDir, `${name}-${width}.png`), fullPage: width === 360 ? false : true });
      // axe on every page at 1280 px; at 360 px on the overview (the phone's page; the rest share its layout rules)
      const bad = width === 1280 || name === 'overview' ? await seriousA11yViolations(page) : [];
      assert.equal(bad, [], `${name} at ${width} px: ${JSON.stringify(bad)}`);
      if (process.env.WEBUI_TIMES) console.log(`${name} ${width}: ${Date.now() - t0} ms`);
      // nothing wider than the phone's screen (horizontal scrolling) on the overview
      if (width === 360 && name === 'overview') assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 360, 'overview scrolls sideways at 360 px');
    }
    // live: the accepted count moves without a reload
    if (width === 360) {
      assert.equal(errors, [], `console errors at ${width} px`);
      await page.close();
      continue;
    }
    await visit(page, 'overview');
    const before = Number(await page.locator('[data-stat="accepted"]').innerText());
    await page.waitForFunction((n) => Number(document.querySelector('[data-stat="accepted"]')!.textContent) > n, before, { timeout: 30_000 });
    assert.equal(errors, [], `console errors at ${width} px`);
    await page.close();
  }
  await phone.close();
});

test('at 360 px an alert carries its action: pausing raises "Mining is paused", its Resume button resumes', async () => {
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, bypassCSP: true, storageState: await desktop.storageState() });
  const page = await phone.newPage();
  const errors = collectErrors(page);
  await visit(page, 'system');
  await page.getByRole('button', { name: 'Pause mining' }).click();
  await visit(page, 'overview');
  const alert = page.locator('.alerts li', { hasText: 'Mining is paused.' });
  await alert.waitFor({ timeout: 15_000 });
  await page.screenshot({ path: join(shotDir, 'alert-360.png') });
  const box = (await alert.getByRole('button', { name: 'Resume mining' }).boundingBox())!;
  assert.ok(box.x >= 0 && box.x + box.width <= 360, `the action button is on screen: ${JSON.stringify(box)}`);
  await alert.getByRole('button', { name: 'Resume mining' }).tap();
  await page.getByTestId('state').filter({ hasText: /^mining$/ }).waitFor({ timeout: 30_000 });
  await page.getByTestId('healthy').waitFor({ timeout: 15_000 });
  assert.is(((await (await fetch(`${base}/api/v1/status`)).json()) as any).state, 'mining');
  assert.equal(errors, []);
  await phone.close();
});

function cliValidate(file: string): Promise<string> {
  return new Promise((res) => execFile(process.execPath, [k.bin, 'config', 'validate', file], { env: k.env }, (_e, out, err) => res(out + err)));
}

test('a config change through the form reaches the daemon; a bad value shows the CLI validation message and changes nothing', async () => {
  const page = await desktop.newPage();
  await visit(page, 'config');
  await page.locator('summary', { hasText: /^thermal$/ }).click();
  const target = page.locator('#cfg-thermal-targetC');
  await target.fill('71');
  await page.getByRole('button', { name: 'Apply configuration' }).click();
  const result = page.getByTestId('config-result');
  await result.waitFor();
  const applied = await result.innerText();
  assert.match(applied, /^applied: thermal/, `${applied}: ${await page.locator('[data-testid="config-issues"]').allInnerTexts()}`);
  // PUT writes the file; the config watcher applies it a moment later.
  let cfg: any;
  let s: any;
  for (let i = 0; i < 100; i++) {
    cfg = await (await fetch(`${base}/api/v1/config`)).json();
    s = await (await fetch(`${base}/api/v1/status`)).json();
    if (cfg.thermal.targetC === 71 && s.thermal?.target_c === 71) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.is(cfg.thermal.targetC, 71);
  assert.is(s.thermal.target_c, 71);

  await page.locator('summary', { hasText: /^thermal$/ }).click({ trial: true });
  await target.fill('200');
  await page.getByRole('button', { name: 'Apply configuration' }).click();
  const shown = await page.locator('#cfg-thermal-targetC-err').innerText({ timeout: 10_000 });
  // the same message `kabosu config validate` prints for that value
  const bad = { ...cfg, thermal: { ...cfg.thermal, targetC: 200 } };
  delete bad.pools; // the CLI reads a file; the redacted pool password would not decrypt there
  const file = join(k.dir, 'bad.json');
  writeFileSync(file, JSON.stringify(bad, null, 2));
  const cli = await cliValidate(file);
  const cliLine = cli.split('\n').find((l) => l.includes('/thermal/targetC'));
  assert.ok(cliLine, cli);
  const msg = cliLine!.slice(cliLine!.indexOf('/thermal/targetC'));
  assert.ok(shown.includes(msg), `UI: ${shown}\nCLI: ${cliLine}`);
  assert.is(((await (await fetch(`${base}/api/v1/config`)).json()) as any).thermal.targetC, 71);
  await page.close();
});

test('login with the admin password, CSRF refusal, logout everywhere, lockout after wrong passwords', async () => {
  const other = await browser.newContext({ bypassCSP: true });
  const page = await other.newPage();
  await page.goto(base + '/');
  await page.getByLabel('Admin password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('[data-stat="accepted"]').waitFor();
  const cookie = (await other.cookies()).find((c) => c.name === 'kabosu_session')!;
  assert.ok(cookie.httpOnly);
  assert.is(cookie.sameSite, 'Strict');
  // a write with the session cookie but no CSRF token is refused; with it, it goes through
  const probe = JSON.stringify({ url: `stratum+tcp://127.0.0.1:${poolPort}`, user: 'csrf.1' });
  const noCsrf: any = await page.evaluate(async (b) => (await fetch('/api/v1/pools/test', { method: 'POST', headers: { 'content-type': 'application/json' }, body: b })).json(), probe);
  assert.is(noCsrf.code, 'KBS_E_AUTH_CSRF');
  const withCsrf: any = await page.evaluate(async (b) => {
    const s = await (await fetch('/api/v1/auth/session')).json() as any;
    return (await fetch('/api/v1/pools/test', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf }, body: b })).json() as any;
  }, probe);
  assert.is(withCsrf.ok, true, JSON.stringify(withCsrf));
  // without a login the live stream is refused; api.http.ui.readWithoutLogin opens a read-only view
  assert.is((await fetch(`${base}/api/v1/events/stream`)).status, 401);
  const setReadOnly = (on: boolean) =>
    page.evaluate(async (v) => {
      const s: any = await (await fetch('/api/v1/auth/session')).json();
      const c: any = await (await fetch('/api/v1/config')).json();
      c.api.http.ui.readWithoutLogin = v;
      const status = (await fetch('/api/v1/config', { method: 'PUT', headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf }, body: JSON.stringify(c) })).status;
      // PUT writes the file; the config watcher applies it a moment later: wait until it has.
      for (let i = 0; i < 100 && status === 200; i++) {
        if (((await (await fetch('/api/v1/auth/session')).json()) as any).read_without_login === v) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return status;
    }, on);
  assert.is(await setReadOnly(true), 200);
  const anon = await browser.newContext({ bypassCSP: true });
  const viewer = await anon.newPage();
  await viewer.goto(base + '/');
  await viewer.locator('[data-stat="accepted"]').waitFor();
  assert.is(await viewer.locator('header .badge', { hasText: 'read-only' }).count(), 1);
  const write: any = await viewer.evaluate(async () => (await fetch('/api/v1/commands/pause', { method: 'POST' })).json());
  assert.is(write.code, 'KBS_E_API_WRITES_DISABLED', 'a read-only viewer cannot write');
  await anon.close();
  assert.is(await setReadOnly(false), 200);
  // logout everywhere from this browser ends the desktop session too
  await page.goto(base + '/#/system');
  await page.getByRole('button', { name: 'Log out everywhere' }).click();
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  const d = await desktop.newPage();
  await d.goto(base + '/');
  await d.getByRole('button', { name: 'Log in' }).waitFor();
  await d.screenshot({ path: join(shotDir, 'login-1280.png') });
  // five wrong passwords lock this address out; then even the right one is refused for a while
  const attempt = async (pw: string): Promise<number> => {
    await page.getByLabel('Admin password').fill(pw);
    const reply = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
    await page.getByRole('button', { name: 'Log in' }).click();
    return (await reply).status();
  };
  const codes: number[] = [];
  for (let i = 0; i < 5; i++) codes.push(await attempt(`wrong-${i}-password`));
  assert.equal(codes, [401, 401, 401, 401, 401]);
  assert.is(await attempt(PASSWORD), 429);
  assert.match(await page.getByTestId('login-error').innerText(), /too many wrong passwords: try again in \d+ s/);
  assert.ok(existsSync(join(k.dir, 'data', 'admin-password.json')));
  await other.close();
});

test.after.each(() => {
  if (process.env.WEBUI_TIMES) console.log(`at ${Date.now() - T0} ms`);
});

test.run();
