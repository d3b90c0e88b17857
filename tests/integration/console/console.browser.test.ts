import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { subscriptionsReach } from '../../setup/probes.js';
import { NOTIFY_ENV } from '../notifications/helpers.js';
import { checkAccessible, hasChromium, launchBrowser } from './browser.js';

if (!hasChromium)
  console.warn('SKIPPED: the browser console test needs /usr/bin/chromium (apt-get install -y chromium).');

let t: TestApp;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let org: SeededOrganization;
let worker: SeededUser;
/** Every URL the pages asked for: all must be the hub's own. */
const requested: string[] = [];

async function signIn(page: Page, user: SeededUser): Promise<void> {
  page.setDefaultTimeout(15_000);
  await page.goto(`${t.url}/`);
  // A session left by an earlier test would skip the form.
  await page.evaluate('localStorage.clear()');
  await page.reload();
  await page.getByLabel('手机号或邮箱').fill(user.user.email ?? '');
  await page.getByLabel('密码').fill(user.password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByTestId('viewer').getByText(user.user.displayName).waitFor();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: '退出' }).click();
  await page.getByRole('heading', { name: '登录纽带' }).waitFor();
}

describe.skipIf(!hasChromium)('the browser console', () => {
  beforeAll(async () => {
    t = await startTestApp(NOTIFY_ENV);
    org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
    worker = await t.seed.worker();
    browser = await launchBrowser();
    context = browser.context;
    context.on('request', (r) => void requested.push(r.url()));
  });

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('signs in in Chinese, switches to English and back, and remembers the choice', async () => {
    const page = await context.newPage();
    await page.goto(`${t.url}/`);
    await page.evaluate('localStorage.clear()');
    await page.reload();
    await page.getByRole('heading', { name: '登录纽带' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await checkAccessible(page, 'sign-in');
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: 'Sign in to Niudai' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Niudai' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await checkAccessible(page, 'sign-in-en');

    // A wrong password: the hub's UNAUTHENTICATED, said in the user's language above the form.
    await page.getByLabel('Mobile number or email').fill(worker.user.email ?? '');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').getByText('Wrong mobile number or password.').waitFor();

    await page.getByRole('button', { name: '切换到中文' }).click();
    await page.getByRole('heading', { name: '登录纽带' }).waitFor();
    await page.close();
  });

  it('shows a demand live on an organization’s board and claims it; the bell counts the notification live', async () => {
    const page = await context.newPage();
    await signIn(page, org.admin);
    await page.getByTestId('feed-status').getByText('实时', { exact: true }).waitFor();
    // The board's feed and the bell's notifications: once both are registered, nothing is missed.
    await subscriptionsReach(t, 2);
    await checkAccessible(page, 'org-board');

    // A worker submits a demand (over HTTP, as the worker's app would).
    const title = `托育需求 ${randomBytes(3).toString('hex')}`;
    const { submitDemand } = await t.data<{ submitDemand: { demand: { id: string } } }>(
      `mutation ($input: SubmitDemandInput!) { submitDemand(input: $input) { demand { id } } }`,
      {
        input: {
          title,
          description: '双职工家庭需要课后托管',
          categoryCode: 'LIFE.CHILDCARE',
          regionCode: '370102',
          urgency: 'HIGH',
        },
      },
      worker.token,
    );

    const card = page.locator('li.demand', { hasText: title });
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain('紧急程度高');
    await card.getByRole('button', { name: '认领', exact: true }).click();
    await card.getByTestId('demand-status').getByText('已认领').waitFor();
    await page.getByTestId('acting-organization').getByText(org.organization.name).waitFor();

    // The new demand matched the organization: the bell says so without a reload.
    const bell = page.getByTestId('notification-bell');
    await page.getByRole('button', { name: '通知，1 条未读' }).waitFor();
    await bell.click();
    const panel = page.getByRole('region', { name: '通知' });
    await panel.getByText(`新需求：${title}`).waitFor();
    await checkAccessible(page, 'notifications');
    await panel.getByRole('button', { name: '全部标为已读' }).click();
    await page.getByRole('button', { name: '通知', exact: true }).waitFor();
    await panel.getByRole('button', { name: '关闭' }).click();
    const { unreadNotificationCount } = await t.data<{ unreadNotificationCount: number }>(
      '{ unreadNotificationCount }',
      {},
      org.token,
    );
    expect(unreadNotificationCount).toBe(0);

    const { demand, organization } = await t.data<{
      demand: { status: string; claimedBy: { id: string } | null };
      organization: { id: string };
    }>(
      `query ($id: ID!, $creditCode: String!) {
        demand(id: $id) { status claimedBy { id } }
        organization(creditCode: $creditCode) { id }
      }`,
      { id: submitDemand.demand.id, creditCode: org.organization.creditCode },
      org.token,
    );
    expect(demand).toEqual({ status: 'CLAIMED', claimedBy: { id: organization.id } });
    await signOut(page);
    await page.close();
  });

  it('runs a query in the explorer with the signed-in token', async () => {
    const page = await context.newPage();
    await signIn(page, worker);
    await page.getByRole('link', { name: 'API 浏览器' }).click();
    await page.locator('.graphiql-execute-button').click();
    // The explorer's first open loads and compiles GraphiQL's own chunk, then the schema: with the
    // process and browser files that a fresh run starts together (tests/setup/sequencer.ts), that
    // took over 10 s on 2 cores.
    await page.locator('.graphiql-response').getByText(worker.user.displayName).waitFor({ timeout: 30_000 });
    await signOut(page);
    await page.close();
  });

  it('shows union staff the supply–demand gap of their region as a table and a chart', async () => {
    const staff = await t.seed.unionStaff('370100');
    const page = await context.newPage();
    await signIn(page, staff);
    // Union staff start on the demands of their scope; the gap report is one link away.
    await page.getByRole('link', { name: '供需错位' }).click();
    await page.locator('.gap table tbody tr').first().waitFor();
    expect(await page.locator('.gap h2').textContent()).toContain('济南市');
    expect(await page.locator('svg.gap-chart rect.people').count()).toBeGreaterThan(0);
    await checkAccessible(page, 'staff-gap');
    await signOut(page);
    await page.close();
  });

  it('loads nothing from anywhere but the hub', () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => !url.startsWith(t.url) && !url.startsWith('data:'))).toEqual([]);
  });
});
