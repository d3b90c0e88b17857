import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { SIGN_IN } from '../../../console/src/operations.js';

/** Debian's chromium, which .ci/run installs with apt. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A headless chromium with a fresh profile directory; `close` ends it and removes the profile.
 * `phone`: every page is a 360×740 touch screen, as the worker's phone.
 */
export async function launchBrowser({ phone = false } = {}): Promise<{
  context: BrowserContext;
  close: () => Promise<void>;
}> {
  const profile = await mkdtemp(join(tmpdir(), 'niudai-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    timeout: 30_000,
    ...(phone ? { viewport: PHONE_VIEWPORT, isMobile: true, hasTouch: true } : {}),
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A headless chromium for journeys where several people act at once: each person gets a context
 * of their own (`browser.newContext()`: own storage, so own session), all in one browser process.
 */
export function launchSharedBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
}

/** Where the console keeps its session (shared/session.ts). */
const SESSION_KEY = 'niudai.console.session';

/**
 * A context of one person's own in `browser`, signed in through the API with the console's own
 * sign-in operation rather than its form (for tests whose subject is not the form): every page it
 * opens finds the session stored, as after signing in, and starts on that person's home screen.
 */
export async function signedInContext(
  browser: Browser,
  hubUrl: string,
  user: { login: string; password: string },
  options: BrowserContextOptions = { viewport: { width: 1280, height: 900 } },
): Promise<BrowserContext> {
  const response = await fetch(`${hubUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: SIGN_IN, variables: { input: user } }),
  });
  const { data, errors } = (await response.json()) as { data?: { signIn: unknown }; errors?: unknown };
  if (!data?.signIn) throw new Error(`signing ${user.login} in failed: ${JSON.stringify(errors)}`);
  const context = await browser.newContext(options);
  const session = JSON.stringify(JSON.stringify(data.signIn));
  await context.addInitScript({ content: `localStorage.setItem('${SESSION_KEY}', ${session});` });
  return context;
}

/** What a console journey knows of a person: her login, password and the name the console shows. */
export interface ConsolePerson {
  user: { email?: string | null; displayName: string };
  password: string;
}

/**
 * A page in a context of `person`'s own in `browser`, on her home screen, signed in: through the
 * sign-in form with `form` (one journey per console file, so that each console's form is tested),
 * else through the API (`signedInContext`). Resolves once the console shows her name. The caller
 * closes `page.context()`.
 */
export async function signedInPage(
  browser: Browser,
  hubUrl: string,
  person: ConsolePerson,
  {
    form = false,
    options = { viewport: { width: 1280, height: 900 } },
    timeout,
  }: { form?: boolean; options?: BrowserContextOptions; timeout: number },
): Promise<Page> {
  const login = { login: person.user.email ?? '', password: person.password };
  const context = form
    ? await browser.newContext(options)
    : await signedInContext(browser, hubUrl, login, options);
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  // The first page of a test hub bundles the console first.
  await page.goto(`${hubUrl}/`, { timeout: 60_000 });
  if (form) {
    await page.getByLabel('手机号或邮箱').fill(login.login);
    await page.getByLabel('密码').fill(login.password);
    await page.getByRole('button', { name: '登录', exact: true }).click();
  }
  await page.getByTestId('viewer').getByText(person.user.displayName).waitFor();
  return page;
}

/** A phone's screen, CSS pixels: the worker's pages are made for it first. */
export const PHONE_VIEWPORT = { width: 360, height: 740 };

/** Makes a page phone-sized (360×740). */
export async function usePhoneSize(page: Page): Promise<void> {
  await page.setViewportSize(PHONE_VIEWPORT);
}

/** Where screenshots of the screens go, for a reviewer to look at (gitignored). */
export const SCREENS_DIR = fileURLToPath(new URL('../../../test-results/screens/', import.meta.url));

/**
 * Resolves once the page's popups and dialogs have finished opening: what a person waits for
 * before reading or clicking in one. (antd zooms a dialog in from where the pointer was; a click
 * aimed at a button mid-zoom can land on the mask, which closes the dialog.)
 */
export async function settled(page: Page): Promise<void> {
  // antd-mobile fades and zooms popups and dialogs in with react-spring, which writes inline styles
  // frame by frame and starts a dialog at opacity 0: settled once every shown mask and dialog is
  // opaque and no inline style has changed for five animation frames in a row.
  // (A function, not a string: the page's Content-Security-Policy forbids eval.)
  await page.evaluate('delete window.niudaiStyles');
  await page.waitForFunction(
    () => {
      type Styled = {
        style: { opacity: string };
        getAttribute(n: string): string | null;
        getClientRects(): ArrayLike<unknown>;
      };
      const scope = globalThis as unknown as {
        document: { querySelectorAll(s: string): Iterable<Styled> };
        niudaiStyles?: { last: string; quietFrames: number };
      };
      const styled = [...scope.document.querySelectorAll('[style]')];
      const popups = [...scope.document.querySelectorAll('.adm-mask, .adm-center-popup-body')];
      const shown = popups.filter((e) => e.getClientRects().length > 0);
      if (!shown.every((e) => ['', '1'].includes(e.style.opacity))) return false;
      const now = styled.map((e) => e.getAttribute('style')).join('\n');
      const seen = scope.niudaiStyles;
      scope.niudaiStyles = { last: now, quietFrames: seen?.last === now ? seen.quietFrames + 1 : 0 };
      return scope.niudaiStyles.quietFrames >= 5;
    },
    undefined,
    { polling: 'raf' },
  );
  // antd zooms and fades its dialogs in with CSS animations: judge colours once every finite
  // animation or transition has ended (a spinner's infinite one never does). The ripple antd draws
  // round a clicked button (an empty `.ant-wave` overlay, fading for 2 s, then removed on its
  // transitionend) changes nothing a person reads: it is finished at once rather than waited for.
  await page.waitForFunction(() => {
    type Running = {
      playState: string;
      effect: {
        getTiming(): { iterations?: number };
        target?: { classList?: { contains(c: string): boolean } };
      } | null;
      finish(): void;
    };
    const { document } = globalThis as unknown as { document: { getAnimations(): Running[] } };
    const running = document.getAnimations().filter((a) => a.playState === 'running');
    for (const ripple of running.filter((a) => a.effect?.target?.classList?.contains('ant-wave')))
      ripple.finish();
    return running.every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity);
  });
}

/**
 * Once the page has settled, saves a screenshot of the page as `test-results/screens/<screenName>.png`, then runs axe-core in
 * the page and fails on any serious or critical violation, naming each rule and the elements.
 * axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy (no
 * inline script) does not apply to.
 */
export async function checkAccessible(page: Page, screenName: string): Promise<void> {
  await settled(page);
  await mkdir(SCREENS_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENS_DIR, `${screenName}.png`), fullPage: true });
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axe.source);
  const violations = (await page.evaluate(
    'window.axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)',
  )) as axe.Result[];
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  if (serious.length > 0) throw new Error(`Accessibility of "${screenName}":\n${serious.join('\n')}`);
}
