import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededUser } from '../../setup/seed.js';
import { submitDemand } from '../../setup/operations.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { checkAccessible, hasChromium, launchSharedBrowser, signedInContext } from './browser.js';
import { makeCreditCode, makeProviderCreditCode } from '../../../src/modules/organizations/credit-code.js';

if (!hasChromium)
  console.warn("SKIPPED: the roles' screens test needs /usr/bin/chromium (apt-get install -y chromium).");

let t: TestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const suffix = randomBytes(3).toString('hex');

/** A page of `user`'s own, signed in through the API (the sign-in form is another test's subject), at `path`. */
async function openAs(user: SeededUser, path: string): Promise<Page> {
  const context = await signedInContext(browser, t.url, { login: user.user.email!, password: user.password });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  // The first page of a test hub bundles the console first.
  await page.goto(`${t.url}/#${path}`, { timeout: 60_000 });
  await page.getByTestId('viewer').getByText(user.user.displayName).waitFor();
  return page;
}

/** Chooses province, then city, in a region cascader (any level may be chosen). */
async function chooseCity(page: Page, label: string, province: string, city: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).click();
  await page.locator(`.ant-cascader-menu-item[title="${province}"]`).click();
  await page.locator(`.ant-cascader-menu-item[title="${city}"]`).click();
  await page.keyboard.press('Escape');
}

describe.skipIf(!hasChromium)("each role's screens", { timeout: 90_000 }, () => {
  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchSharedBrowser();
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('union staff write a project from scratch (a bad budget shown at its field), save it and publish it', async () => {
    const staff = await t.seed.unionStaff('370100');
    await t.seed.publisher(staff);
    const page = await openAs(staff, '/staff/projects');
    const form = page.locator('form[id="new-project"]');
    const title = `新就业形态劳动者关爱服务 ${suffix}`;
    await form.getByLabel('项目名称').fill(title);
    await form.getByLabel('服务类别').click();
    await page.getByTitle('职工生活服务类', { exact: true }).click();
    await chooseCity(page, '服务地区', '山东省', '济南市');
    await form.getByLabel('预算（元）').fill('0');
    await form.getByRole('button', { name: '保存为草稿' }).click();
    await page.locator('#new-project_budgetFen_help').getByText('预算至少 0.01 元').waitFor();
    await checkAccessible(page, 'staff-new-project-bad-budget');

    await form.getByLabel('预算（元）').fill('20000');
    await form.getByRole('button', { name: '保存为草稿' }).click();
    await page.getByTestId('project-status').getByText('草稿').waitFor();
    await page.getByRole('button', { name: '发布项目' }).click();
    await page.getByTestId('project-status').getByText('已发布').waitFor();
    await checkAccessible(page, 'staff-new-project-published');
    const projectId = decodeURIComponent(new URL(page.url()).hash.replace('#/staff/projects/', ''));
    const { project } = await t.data<{ project: unknown }>(
      `query ($id: ID!) { project(id: $id) { title status budget { amountFen } category { code } regions { code } } }`,
      { id: projectId },
      staff.token,
    );
    expect(project).toEqual({
      title,
      status: 'PUBLISHED',
      budget: { amountFen: 2_000_000 },
      category: { code: 'LIFE' },
      regions: [{ code: '370100' }],
    });
  });

  it('an admin registers a publisher', async () => {
    const admin = await t.seed.admin();
    const page = await openAs(admin, '/admin/publishers');
    const form = page.locator('form[id="publisher"]');
    const name = `历城区总工会 ${suffix}`;
    await form.getByLabel('类型').click();
    await page.locator('.ant-select-item-option[title="工会"]').click();
    await form.getByLabel('名称').fill(name);
    await chooseCity(page, '所在地区', '山东省', '济南市');
    await checkAccessible(page, 'admin-new-publisher');
    await form.getByRole('button', { name: '登记主体' }).click();
    const row = page.getByRole('row', { name: new RegExp(name) });
    await row.getByText('工会', { exact: true }).waitFor();
    await row.getByRole('cell', { name: '济南市' }).waitFor();
    await checkAccessible(page, 'admin-publisher-registered');
    const { publishers } = await t.data<{
      publishers: { edges: { node: { name: string; kind: string; region: { code: string } } }[] };
    }>(`{ publishers(first: 100) { edges { node { name kind region { code } } } } }`, {}, admin.token);
    expect(publishers.edges.map((e) => e.node)).toContainEqual({
      name,
      kind: 'UNION',
      region: { code: '370100' },
    });
  });

  it('an organization releases a claim with a reason; the worker’s demand is open again', async () => {
    const org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
    const worker = await t.seed.worker();
    const demand = await submitDemand(t, worker.token);
    await t.data(
      `mutation ($input: ClaimDemandInput!) { claimDemand(input: $input) { demand { id } } }`,
      { input: { demandId: demand.id, organizationId: toGlobalId('Organization', org.organization.id) } },
      org.token,
    );
    const page = await openAs(org.admin, '/org/claims');
    const claim = page.locator('.org-claim', { hasText: demand.title });
    const reason = '该职工所在街道已有更近的服务点';
    await claim.getByLabel('记录（进展、完成说明或退回原因）').fill(reason);
    await claim.getByRole('button', { name: '退回需求' }).click();
    await claim.waitFor({ state: 'detached' });
    await page.getByText('暂无认领的需求').waitFor();
    await checkAccessible(page, 'org-claim-released');

    const { demand: read } = await t.data<{
      demand: { status: string; claimedBy: unknown; progressNotes: { kind: string; note: string }[] };
    }>(
      `query ($id: ID!) { demand(id: $id) { status claimedBy { id } progressNotes { kind note } } }`,
      { id: demand.id },
      worker.token,
    );
    expect(read).toEqual({
      status: 'OPEN',
      claimedBy: null,
      progressNotes: [{ kind: 'RELEASE', note: reason }],
    });
  });

  it('an organization admin edits a service, then removes it', async () => {
    const serviceName = `法律咨询 ${suffix}`;
    const org = await t.seed.organization({ services: [{ name: serviceName }] });
    const page = await openAs(org.admin, '/org/services');
    await page.getByRole('button', { name: `编辑服务“${serviceName}”` }).click();
    const dialog = page.getByRole('dialog');
    const renamed = `${serviceName}（线上）`;
    await dialog.getByLabel('服务名称').fill(renamed);
    await dialog.getByLabel('月服务能力（人次）').fill('40');
    await checkAccessible(page, 'org-service-edit');
    await dialog.getByRole('button', { name: '保存' }).click();
    const row = page.getByRole('row', { name: new RegExp(renamed) });
    await row.getByText('每月 40 人次').waitFor();

    await row.getByRole('button', { name: `移除服务“${renamed}”` }).click();
    await page.getByRole('tooltip').getByText(`确定移除服务“${renamed}”？`).waitFor();
    await checkAccessible(page, 'org-service-remove-confirm');
    await page.getByRole('tooltip').getByRole('button', { name: '移除', exact: true }).click();
    await page.getByText('尚未登记服务').waitFor();
    const { organization } = await t.data<{ organization: { services: unknown[] } }>(
      `query ($id: ID!) { organization(id: $id) { services { id } } }`,
      { id: toGlobalId('Organization', org.organization.id) },
      org.token,
    );
    expect(organization.services).toEqual([]);
  });

  it('a person registers a caring enterprise with its 9… code (a social organization’s code is refused at its field)', async () => {
    const worker = await t.seed.worker();
    const page = await openAs(worker, '/org/register');
    const form = page.locator('form[id="register-organization"]');
    const name = `济南爱心企业 ${suffix}`;
    await form.getByLabel('主体类型').click();
    await page.locator('.ant-select-item-option[title="爱心企业"]').click();
    await form.getByLabel('名称').fill(name);
    // A civil-affairs code (5…) is not an enterprise's.
    await form.getByLabel('统一社会信用代码').fill(makeCreditCode('SOCIAL_SERVICE_AGENCY', 4321, '370102'));
    await chooseCity(page, '登记地', '山东省', '济南市');
    await form.getByLabel('服务类别').click();
    await page.getByTitle('职工生活服务类', { exact: true }).click();
    await page.keyboard.press('Escape');
    await form.getByRole('button', { name: '提交登记' }).click();
    await page.locator('#register-organization_creditCode_help').getByText('信用代码无效').waitFor();
    await checkAccessible(page, 'org-register-bad-code');

    const code = makeProviderCreditCode('CARING_ENTERPRISE', 4321, '370102');
    await form.getByLabel('统一社会信用代码').fill(code);
    await form.getByRole('button', { name: '提交登记' }).click();
    await page.getByText(`“${name}”已登记，等待认证。`).waitFor();
    await checkAccessible(page, 'org-register-done');
    const { organization } = await t.data<{
      organization: {
        name: string;
        providerKind: string;
        kind: string | null;
        verification: { status: string };
      };
    }>(
      `query ($code: String!) { organization(creditCode: $code) { name providerKind kind verification { status } } }`,
      { code },
      worker.token,
    );
    expect(organization).toEqual({
      name,
      providerKind: 'CARING_ENTERPRISE',
      kind: null,
      verification: { status: 'PENDING' },
    });
  });
});
