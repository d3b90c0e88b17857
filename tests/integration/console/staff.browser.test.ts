import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { checkAccessible, hasChromium, launchBrowser } from './browser.js';

if (!hasChromium)
  console.warn('SKIPPED: the staff journey needs /usr/bin/chromium (apt-get install -y chromium).');

let t: TestApp;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let staff: SeededUser;
let org: SeededOrganization;
let orgId: string;
const suffix = randomBytes(3).toString('hex');
const titles = [`夜间托管 ${suffix}`, `暑期托管 ${suffix}`];

/** A local time as the console's date pickers take it (the browser runs in this process's zone). */
function pickerTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

const status = (page: Page) => page.getByTestId('project-status');

describe.skipIf(!hasChromium)('the staff journey: demands → project → award → completion', () => {
  beforeAll(async () => {
    t = await startTestApp();
    staff = await t.seed.unionStaff('370100');
    await t.seed.publisher(staff);
    org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
    // Two workers order the same kind of service in Lixia (职工点单), through the API.
    for (const title of titles) {
      const worker = await t.seed.worker();
      await t.data(
        `mutation ($input: SubmitDemandInput!) { submitDemand(input: $input) { demand { id } } }`,
        {
          input: {
            title,
            description: '双职工家庭需要托管服务',
            categoryCode: 'LIFE.CHILDCARE',
            regionCode: '370102',
            peopleAffected: 3,
          },
        },
        worker.token,
      );
    }
    ({
      organization: { id: orgId },
    } = await t.data<{ organization: { id: string } }>(
      `query ($creditCode: String!) { organization(creditCode: $creditCode) { id } }`,
      { creditCode: org.organization.creditCode },
      org.token,
    ));
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('turns demands into a project, awards it and completes it; the fairness ledger shows the award', async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, staff);

    // Demands in scope, selected and turned into a draft (工会买单).
    await page.goto(`${t.url}/#/staff/demands`);
    for (const title of titles) await page.getByRole('cell', { name: title, exact: true }).waitFor();
    await checkAccessible(page, 'staff-demands');
    for (const title of titles) await page.getByRole('checkbox', { name: `选择需求“${title}”` }).check();
    await page.getByRole('button', { name: '用所选 2 条需求创建项目' }).click();
    await status(page).getByText('草稿').waitFor();
    const projectId = decodeURIComponent(new URL(page.url()).hash.replace('#/staff/projects/', ''));
    await checkAccessible(page, 'staff-project-draft');

    // A budget the hub refuses is shown next to its field, in Chinese; a good one publishes.
    const budget = page.getByLabel('预算（元）');
    await budget.fill('0');
    await page.getByRole('button', { name: '发布项目' }).click();
    const budgetError = page.locator('#project_budgetFen_help');
    await budgetError.getByText('预算至少 0.01 元').waitFor();
    await checkAccessible(page, 'staff-project-bad-budget');
    await budget.fill('5000');
    await page.getByRole('button', { name: '发布项目' }).click();
    await status(page).getByText('已发布').waitFor();
    await expect(page.getByTestId('project-budget').textContent()).resolves.toBe('5,000.00 元');

    // The organization applies (through the API), asking 4,000 元.
    await t.data(
      `mutation ($input: ApplyToProjectInput!) { applyToProject(input: $input) { application { id } } }`,
      { input: { organizationId: orgId, projectId, proposal: '课后托管，每周五天', requestedFen: 400_000 } },
      org.token,
    );
    await page.reload();
    const row = page.getByRole('row', { name: new RegExp(org.organization.name) });
    await row.getByTestId('application-status').getByText('已申报').waitFor();

    // Staff shortlist it, then amend the closing time (with a reason) so that evaluation starts soon.
    await page.getByRole('button', { name: `入围 ${org.organization.name}` }).click();
    await row.getByTestId('application-status').getByText('已入围').waitFor();
    const closesAt = new Date(Date.now() + 12_000);
    const closes = page.getByLabel('申报截止');
    await closes.click();
    await closes.press('ControlOrMeta+a');
    await closes.pressSequentially(pickerTime(closesAt));
    await closes.press('Enter');
    await page.getByLabel('变更理由（将公开）').fill('已有合格申报，提前截止以便尽快服务');
    await page.getByRole('button', { name: '提交变更' }).click();
    await page.getByText('变更已记录并公开。').waitFor();
    await page.getByText('已有合格申报，提前截止以便尽快服务').waitFor();
    await checkAccessible(page, 'staff-project-published');

    // Once the period has closed the project is evaluated: award 3,500 元 of the 4,000 asked.
    await expect
      .poll(
        async () =>
          (
            await t.data<{ project: { status: string } }>(
              `query ($id: ID!) { project(id: $id) { status } }`,
              {
                id: projectId,
              },
              staff.token,
            )
          ).project.status,
        { timeout: 30_000, interval: 500 },
      )
      .toBe('EVALUATING');
    await page.reload();
    await status(page).getByText('评审中').waitFor();
    await page.getByRole('checkbox', { name: `${org.organization.name} 中标` }).check();
    await page.getByLabel(`${org.organization.name} 的中标金额（元）`).fill('3500');
    await checkAccessible(page, 'staff-project-award');
    await page.getByRole('button', { name: '确认定标' }).click();
    await status(page).getByText('已定标').waitFor();

    // The organization sees the decision.
    const { organization } = await t.data<{
      organization: {
        applications: { edges: { node: { status: string; awarded: { amountFen: number } } }[] };
      };
    }>(
      `query ($id: ID!) { organization(id: $id) { applications { edges { node { status awarded { amountFen } } } } } }`,
      { id: orgId },
      org.token,
    );
    expect(organization.applications.edges.map((e) => e.node)).toEqual([
      { status: 'AWARDED', awarded: { amountFen: 350_000 } },
    ]);

    // Delivery starts, then completes with its outcome and evaluation.
    await page.getByRole('button', { name: '开始执行' }).click();
    await status(page).getByText('执行中').waitFor();
    await page.getByLabel('服务成果').fill('服务 6 个家庭，共 120 课时');
    await page.getByRole('radio', { name: '5 分' }).check();
    await checkAccessible(page, 'staff-project-in-progress');
    await page.getByRole('button', { name: '确认结项' }).click();
    await status(page).getByText('已完成').waitFor();
    await checkAccessible(page, 'staff-project-completed');

    // The publisher's projects list it.
    await page.goto(`${t.url}/#/staff/projects`);
    await page.locator(`a[href="#/staff/projects/${encodeURIComponent(projectId)}"]`).waitFor();
    await checkAccessible(page, 'staff-projects');

    // The fairness ledger counts the award for independent organizations, in the table and the chart.
    await page.goto(`${t.url}/#/staff/fairness`);
    await page.getByTestId('fairness-money-INDEPENDENT').getByText('3,500.00 元').waitFor();
    expect(await page.locator('svg.fairness-chart rect.moneyShare').count()).toBe(4);
    await checkAccessible(page, 'staff-fairness');
    await page.close();
  }, 120_000);
});

/** Signs in through the console's form, as a person would (a session left by an earlier test is dropped). */
async function signIn(page: Page, user: SeededUser): Promise<void> {
  await page.goto(`${t.url}/`);
  await page.evaluate('localStorage.clear()');
  await page.reload();
  await page.getByLabel('手机号或邮箱').fill(user.user.email ?? '');
  await page.getByLabel('密码').fill(user.password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByTestId('viewer').getByText(user.user.displayName).waitFor();
}
