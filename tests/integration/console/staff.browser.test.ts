import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { subscriptionsReach } from '../../setup/probes.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { EvaluationGrade } from '../../../src/modules/organizations/organization.enums.js';
import { APPLY, projectInput, PUBLISH } from '../projects/project-helpers.js';
import { checkAccessible, hasChromium, launchSharedBrowser, signedInPage } from './browser.js';

if (!hasChromium)
  console.warn('SKIPPED: the staff journey needs /usr/bin/chromium (apt-get install -y chromium).');

let t: TestApp;
let browser: Browser;
let staff: SeededUser;
let org: SeededOrganization;
const contexts: BrowserContext[] = [];
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
    browser = await launchSharedBrowser();
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await t?.stop();
  });

  it('turns demands into a project, awards it and completes it; the fairness ledger shows the award', async () => {
    const page = await signedIn(staff, { form: true });

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

    // The organization applies on its own screen, asking 4,000 元, then follows its applications.
    const projectTitle = (
      await t.data<{ project: { title: string } }>(
        `query ($id: ID!) { project(id: $id) { title } }`,
        { id: projectId },
        staff.token,
      )
    ).project.title;
    const orgPage = await signedIn(org.admin);
    await open(orgPage, '可申报项目');
    const card = orgPage.locator('.org-project', { hasText: projectTitle });
    await card.getByRole('button', { name: `申报项目“${projectTitle}”` }).click();
    const dialog = orgPage.getByRole('dialog');
    await dialog.getByLabel('服务方案').fill('课后托管，每周五天');
    await dialog.getByLabel('申请金额（元）').fill('4000');
    await dialog.getByRole('button', { name: '提交申报' }).click();
    await card.getByText('已申报').waitFor();
    await open(orgPage, '我们的申报');
    const decision = orgPage.getByRole('row', { name: new RegExp(projectTitle) });
    await decision.getByText('已提交').waitFor();
    // Its decisions and its notification bell, besides the staff member's bell.
    await subscriptionsReach(t, 3);

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
    // One organization applied: the award is a fairness flag and needs its reason (docs/domain.md).
    await page.getByLabel('定标理由（被标记时公开）').fill('唯一申报机构，服务方案符合要求');
    await checkAccessible(page, 'staff-project-award');
    await page.getByRole('button', { name: '确认定标' }).click();
    await status(page).getByText('已定标').waitFor();
    // The award is flagged on the project page, with the reason written above.
    await page.getByText('唯一申报机构，服务方案符合要求', { exact: false }).waitFor();
    await page.getByText('仅一家机构申报即定标', { exact: false }).waitFor();

    // The organization sees the decision on its screen without a reload (applicationDecided).
    await decision.getByText('中标', { exact: true }).waitFor();
    await decision.getByText('3,500.00 元').waitFor();

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
  }, 180_000);

  it('shows the hub’s verdict on each applicant as it stands now, every rule it fails', async () => {
    const { publishProject } = await t.data<{ publishProject: { project: { id: string; title: string } } }>(
      PUBLISH,
      {
        input: projectInput({
          title: `困难职工子女助学 ${suffix}`,
          eligibility: { verifiedOnly: true, minGrade: 'GRADE_3A', mustServeRegions: true },
        }),
      },
      staff.token,
    );
    const steady = await t.seed.organization({
      grade: EvaluationGrade.GRADE_4A,
      name: `稳定社工站 ${suffix}`,
    });
    const fallen = await t.seed.organization({
      grade: EvaluationGrade.GRADE_3A,
      name: `降级社工站 ${suffix}`,
    });
    for (const applicant of [steady, fallen])
      await t.data(
        APPLY,
        {
          input: {
            projectId: publishProject.project.id,
            organizationId: toGlobalId('Organization', applicant.organization.id),
            proposal: '课后辅导，每周三次',
            requestedFen: 1_000_000,
          },
        },
        applicant.token,
      );
    // Since it applied, one was suspended and lost its grade.
    await t.orm.em
      .fork()
      .execute(
        `update "organization" set "verification_status" = 'SUSPENDED', "grade" = 'NONE' where "id" = ?`,
        [fallen.organization.id],
      );

    const page = await signedIn(staff);
    await page.goto(`${t.url}/#/staff/projects/${encodeURIComponent(publishProject.project.id)}`);
    const verdict = (name: string) =>
      page.getByRole('row', { name: new RegExp(name) }).getByTestId('application-eligibility');
    await verdict(steady.organization.name).getByText('目前符合全部资格条件').waitFor();
    await verdict(fallen.organization.name).getByText('未认证或已暂停').waitFor();
    await verdict(fallen.organization.name).getByText('评估等级 无等级，低于 3A').waitFor();
    await expect(verdict(fallen.organization.name).getByRole('listitem').count()).resolves.toBe(2);
    await checkAccessible(page, 'staff-project-eligibility');
  }, 120_000);
});

/** `user`'s page, signed in (`signedInPage`), closed after the file. */
async function signedIn(user: SeededUser, { form = false } = {}): Promise<Page> {
  const page = await signedInPage(browser, t.url, user, { form, timeout: 15_000 });
  contexts.push(page.context());
  return page;
}

/** Opens a screen from the navigation, as a user would. */
async function open(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}
