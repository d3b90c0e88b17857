import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { hasChromium, launchBrowser } from './browser.js';

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
  page.setDefaultTimeout(10_000);
  await page.goto(`${t.url}/`);
  // A session left by an earlier test would skip the form.
  await page.evaluate('localStorage.clear()');
  await page.reload();
  await page.getByLabel('登录名 Login').fill(user.user.email ?? '');
  await page.getByLabel('密码 Password').fill(user.password);
  await page.getByRole('button', { name: '登录 Sign in' }).click();
  await page.getByTestId('viewer').getByText(user.user.displayName).waitFor({ timeout: 10_000 });
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: '退出 Sign out' }).click();
}

describe.skipIf(!hasChromium)('the browser console', () => {
  beforeAll(async () => {
    t = await startTestApp();
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

  it('shows a demand live on an organization’s board and claims it', async () => {
    const page = await context.newPage();
    await signIn(page, org.admin);
    await page.getByTestId('feed-status').getByText('实时 live').waitFor({ timeout: 10_000 });
    await page.waitForTimeout(300); // the subscription is registered on the hub

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
    await card.waitFor({ timeout: 5_000 });
    await expect(card.textContent()).resolves.toContain('HIGH');
    await card.getByRole('button', { name: '认领 Claim' }).click();
    await card.getByTestId('demand-status').getByText('CLAIMED').waitFor({ timeout: 5_000 });
    await page.getByTestId('acting-organization').getByText(org.organization.name).waitFor();

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
    await page.getByRole('button', { name: 'API 浏览器 Explorer' }).click();
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.graphiql-response').getByText(worker.user.displayName).waitFor({ timeout: 10_000 });
    await signOut(page);
    await page.close();
  });

  it('shows union staff the supply–demand gap of their region as a table and a chart', async () => {
    const staff = await t.seed.unionStaff('370100');
    const page = await context.newPage();
    await signIn(page, staff);
    await page.locator('.gap table tbody tr').first().waitFor({ timeout: 10_000 });
    expect(await page.locator('.gap h2').textContent()).toContain('济南市');
    expect(await page.locator('svg.gap-chart rect.people').count()).toBeGreaterThan(0);
    await signOut(page);
    await page.close();
  });

  it('loads nothing from anywhere but the hub', () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => !url.startsWith(t.url) && !url.startsWith('data:'))).toEqual([]);
  });
});
