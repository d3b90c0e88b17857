import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { submitDemand } from '../../setup/operations.js';
import { subscriptionsReach } from '../../setup/probes.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';
import {
  AWARD,
  closePeriod,
  PUBLISH,
  projectInput,
  seedPublisher,
  SOLE_APPLICANT_RATIONALE,
} from '../projects/project-helpers.js';
import { startReceiver, type Receiver } from '../webhooks/helpers.js';
import {
  checkAccessible,
  hasChromium,
  launchSharedBrowser,
  PHONE_VIEWPORT,
  signedInPage,
} from './browser.js';

if (!hasChromium)
  console.warn(
    'SKIPPED: the organization console test needs /usr/bin/chromium (apt-get install -y chromium).',
  );

let t: TestApp;
let browser: Browser;
let receiver: Receiver;
let org: SeededOrganization;
let organizationId: string;
let member: SeededUser;
let worker: SeededUser;
/** The people's browser contexts of the running journey, closed after it. */
const contexts: BrowserContext[] = [];

/** `user`'s page, signed in (`signedInPage`), closed after the journey; `phone`: a 360×740 touch screen. */
async function signedIn(user: SeededUser, { phone = false, form = false } = {}): Promise<Page> {
  const options = phone
    ? { viewport: PHONE_VIEWPORT, isMobile: true, hasTouch: true }
    : { viewport: { width: 1280, height: 900 } };
  const page = await signedInPage(browser, t.url, user, { form, options, timeout: 10_000 });
  contexts.push(page.context());
  return page;
}

/** Opens a screen from the navigation, as a user would. */
async function open(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}

/** The form item around the control labelled `label`: its API error shows there. */
const errorOfField = (page: Page, label: string) =>
  page
    .locator('.ant-form-item')
    .filter({ has: page.getByLabel(label, { exact: true }) })
    .locator('.ant-form-item-explain-error');

// A journey clicks through many screens on a shared two-core machine: more than the default 30 s.
describe.skipIf(!hasChromium)('the organization console', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    // Webhook endpoints on loopback (the test's receiver) are allowed on this hub only.
    t = await startTestApp({ WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_POLL_MS: '100' });
    receiver = await startReceiver();
    org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
    organizationId = toGlobalId('Organization', org.organization.id);
    member = await t.seed.organizationMember(org.organization.id, MemberRole.ORG_MEMBER);
    worker = await t.seed.worker();
    browser = await launchSharedBrowser();
  });

  // Each journey's pages are closed: their subscriptions end before the next journey counts its own.
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    await subscriptionsReach(t, 0);
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await t?.stop();
  });

  it('a worker submits on her phone; a member sees it live, claims it, reports progress the worker sees live, and fulfils it', async () => {
    const page = await signedIn(member, { form: true });
    // A member starts on the live board; no admin screen is offered to her.
    await page.getByTestId('feed-status').getByText('实时', { exact: true }).waitFor();
    await expect(page.getByRole('link', { name: 'Webhook', exact: true }).count()).resolves.toBe(0);
    await subscriptionsReach(t, 2); // the board's feed and the member's notification bell
    await checkAccessible(page, 'org-board');

    // The worker submits on her phone (category tree, city → district, contact shared with consent).
    const phone = await signedIn(worker, { phone: true });
    await phone.getByRole('heading', { name: '我要点单' }).waitFor();
    await phone.getByRole('radio', { name: '职工生活服务类' }).check();
    await phone.getByRole('radio', { name: '抚幼与托育' }).check();
    await phone.getByRole('radio', { name: '山东省' }).click();
    await phone.getByRole('radio', { name: '济南市' }).click();
    await phone.getByRole('radio', { name: '历下区' }).check();
    const title = `周末托管 ${randomBytes(3).toString('hex')}`;
    await phone.getByLabel('需求标题').fill(title);
    await phone.getByLabel('具体说明').fill('周末加班，孩子需要有人照看');
    await phone.getByLabel('联系方式（可选）').fill('13800000000');
    await phone.getByRole('checkbox', { name: '同意认领需求的组织查看我的联系方式' }).check();
    await phone.getByRole('button', { name: '提交需求' }).click();
    const mine = phone.locator('article.worker-demand', { hasText: title });
    await mine.getByTestId('demand-status').getByText('待认领').waitFor();

    const card = page.locator('li.demand', { hasText: title });
    await card.getByRole('button', { name: '认领', exact: true }).click();
    await card.getByTestId('demand-status').getByText('已认领').waitFor();
    // Her card follows the demand (demandUpdated) beside her bell: what follows reaches her live.
    await subscriptionsReach(t, 4);

    await open(page, '我们认领的需求');
    const claim = page.locator('.org-claim', { hasText: title });
    await claim.getByText('13800000000').waitFor(); // the worker consented to share her contact
    await claim.getByLabel('记录（进展、完成说明或退回原因）').fill('已联系职工，本周六上门');
    await claim.getByRole('button', { name: '报告进展' }).click();
    await claim.locator('.org-notes').getByText('已联系职工，本周六上门').waitFor();
    await claim.getByText('服务中').first().waitFor();
    await checkAccessible(page, 'org-claims');

    // The worker sees the note on her phone without reloading.
    await mine.getByTestId('progress-notes').getByText('已联系职工，本周六上门').waitFor();
    await mine.getByTestId('demand-status').getByText('服务中').waitFor();

    await claim.getByLabel('记录（进展、完成说明或退回原因）').fill('托管服务已安排妥当');
    await claim.getByRole('button', { name: '标记完成' }).click();
    await claim.locator('.org-notes').getByText('托管服务已安排妥当').waitFor();
    await expect(claim.getByRole('button', { name: '报告进展' }).count()).resolves.toBe(0);
    await mine.getByTestId('demand-status').getByText('已完成').waitFor();
    await mine.getByText('托管服务已安排妥当').waitFor();

    // On a phone-narrow window the claims still fit: nothing runs off to the side.
    await page.setViewportSize(PHONE_VIEWPORT);
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await checkAccessible(page, 'org-claims-narrow');

    // A plain member reads the services and members, without the admins' actions.
    await page.setViewportSize({ width: 1280, height: 900 });
    await open(page, '服务项目');
    await expect(page.getByRole('button', { name: '新增服务' }).count()).resolves.toBe(0);
    await open(page, '成员');
    await page.getByRole('cell', { name: org.admin.user.displayName }).waitFor();
    await expect(page.getByRole('combobox').count()).resolves.toBe(0);
    await checkAccessible(page, 'org-members-as-member');
  });

  it('an admin edits the profile, adds a service, changes a member’s role, asks a hub, registers a webhook', async () => {
    const page = await signedIn(org.admin);

    await open(page, '组织资料');
    await page.getByLabel('简介', { exact: true }).fill('为济南市职工家庭提供托育与助老服务');
    await page.getByRole('button', { name: '保存资料' }).click();
    await page.getByText('资料已保存').waitFor();
    await checkAccessible(page, 'org-profile');
    const { organization } = await t.data<{ organization: { description: string } }>(
      `query ($id: ID!) { organization(id: $id) { description } }`,
      { id: organizationId },
      org.token,
    );
    expect(organization.description).toBe('为济南市职工家庭提供托育与助老服务');

    await open(page, '服务项目');
    await page.getByRole('button', { name: '新增服务' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('服务名称').fill('四点半课堂');
    await dialog.getByLabel('服务类别').fill('托育');
    await page.getByTitle('抚幼与托育').click();
    await dialog.getByLabel('月服务能力（人次）').fill('-5');
    await dialog.getByRole('button', { name: '保存' }).click();
    // The hub refuses the capacity: its objection, in Chinese, sits under that field.
    await errorOfField(page, '月服务能力（人次）')
      .getByText('月服务能力须为 0 到 1,000,000 之间的整数。')
      .waitFor();
    await checkAccessible(page, 'org-service-dialog');
    await dialog.getByLabel('月服务能力（人次）').fill('30');
    await dialog.getByRole('button', { name: '保存' }).click();
    await page
      .getByRole('row', { name: /四点半课堂/ })
      .getByText('每月 30 人次')
      .waitFor();
    await checkAccessible(page, 'org-services');

    await open(page, '成员');
    // With the keyboard alone: open the role's list, move up to 管理员, choose it.
    await page.getByLabel(`${member.user.displayName}的角色`).focus();
    await page.keyboard.press('ArrowDown');
    await page.locator('.ant-select-item-option-active[title="成员"]').waitFor();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    const memberId = toGlobalId('User', member.user.id);
    await expect
      .poll(async () => {
        const { organization: read } = await t.data<{
          organization: { members: { role: string; user: { id: string } }[] };
        }>(
          `query ($id: ID!) { organization(id: $id) { members { role user { id } } } }`,
          { id: organizationId },
          org.token,
        );
        return read.members.find((m) => m.user.id === memberId)?.role;
      })
      .toBe('ORG_ADMIN');
    await checkAccessible(page, 'org-members');

    const hub = await t.seed.organization({ isHub: true, name: '济南市职工服务社会组织联合会' });
    await open(page, '枢纽组织');
    await page.getByLabel('选择枢纽组织').focus();
    await page.keyboard.press('ArrowDown');
    await page.locator('.ant-select-item-option-active', { hasText: hub.organization.name }).waitFor();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: '申请加入' }).click();
    await page.getByText(`已向${hub.organization.name}提出申请（等待审核）`).waitFor();
    await checkAccessible(page, 'org-hub');

    await open(page, 'Webhook');
    const url = `${receiver.url}/niudai`;
    await page.getByLabel('推送地址').fill(url);
    await page.getByRole('button', { name: '登记', exact: true }).click();
    const secret = (await page.getByTestId('webhook-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^whsec_/);
    await checkAccessible(page, 'org-webhook-secret');
    await page.getByRole('button', { name: '我已保存' }).click();
    const row = page.getByRole('row', { name: new RegExp(url) });
    // The secret shown is the one the hub signs with: a ping arrives signed with it.
    await row.getByRole('button', { name: `测试推送到 ${url}` }).click();
    await page.getByText('测试推送成功（HTTP 200）').waitFor();
    const [ping] = await receiver.waitFor(1);
    const signed = `${String(ping!.headers['x-niudai-timestamp'])}.${ping!.body}`;
    expect(ping!.headers['x-niudai-signature']).toBe(
      `sha256=${createHmac('sha256', secret).update(signed).digest('hex')}`,
    );
    // Shown once: after a reload the endpoint is listed and its secret is nowhere.
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(secret);

    // A demand the organization can serve is delivered; the endpoint's deliveries list it.
    await submitDemand(t, worker.token);
    await receiver.waitFor(2);
    await row.getByRole('button', { name: '展开行' }).click();
    await page.getByRole('cell', { name: '已送达' }).first().waitFor();
    await checkAccessible(page, 'org-webhooks');

    // The same screen in English, from the catalogue.
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Register', exact: true }).waitFor();
    await checkAccessible(page, 'org-webhooks-en');

    // Deleted, after a confirmation.
    await page.getByRole('button', { name: `Delete ${url}` }).click();
    await page.getByRole('tooltip').getByRole('button', { name: 'Delete', exact: true }).click();
    await row.waitFor({ state: 'detached' });
    const { webhooks } = await t.data<{ webhooks: unknown[] }>(
      `query ($id: ID!) { webhooks(organizationId: $id) { id } }`,
      { id: organizationId },
      org.token,
    );
    expect(webhooks).toEqual([]);
  });

  it('an admin applies to an eligible project and sees the award arrive live', async () => {
    const publisher = await seedPublisher(t);
    const title = '困难职工子女课后服务';
    const { publishProject } = await t.data<{ publishProject: { project: { id: string } } }>(
      PUBLISH,
      { input: projectInput({ title }) },
      publisher.token,
    );
    const projectId = publishProject.project.id;

    const page = await signedIn(org.admin);
    await open(page, '可申报项目');
    const card = page.locator('.org-project', { hasText: title });
    await card.getByText('100,000.00 元').waitFor(); // the budget, in yuan
    await checkAccessible(page, 'org-projects');
    await card.getByRole('button', { name: `申报项目“${title}”` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('服务方案').fill('每周三次课后辅导，覆盖历下区困难职工家庭');
    await dialog.getByLabel('申请金额（元）').fill('50000');
    await checkAccessible(page, 'org-apply-dialog');
    await dialog.getByRole('button', { name: '提交申报' }).click();
    await card.getByText('已申报').waitFor();

    await open(page, '我们的申报');
    const row = page.getByRole('row', { name: new RegExp(title) });
    await row.getByText('已提交').waitFor();
    await row.getByText('50,000.00 元').waitFor();
    await subscriptionsReach(t, 2); // the decisions and the notification bell
    await closePeriod(t, projectId);
    const { project } = await t.data<{ project: { applications: { edges: { node: { id: string } }[] } } }>(
      `query ($id: ID!) { project(id: $id) { applications { edges { node { id } } } } }`,
      { id: projectId },
      publisher.token,
    );
    await t.data(
      AWARD,
      {
        input: {
          projectId,
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          awards: [{ applicationId: project.applications.edges[0]!.node.id, amountFen: 4_500_000 }],
        },
      },
      publisher.token,
    );
    // No reload: the decision arrives over applicationDecided.
    await row.getByText('中标', { exact: true }).waitFor();
    await row.getByText('45,000.00 元').waitFor();
    await checkAccessible(page, 'org-applications');
  });
  it('the projects page lists only what we can apply to; switched off, the others name the rule we fail', async () => {
    const publisher = await seedPublisher(t);
    const suffix = randomBytes(3).toString('hex');
    const [eligible, graded] = [`社区助老服务 ${suffix}`, `五星养老服务 ${suffix}`];
    for (const input of [
      projectInput({ title: eligible }),
      projectInput({ title: graded, eligibility: { minGrade: 'GRADE_4A' } }),
    ])
      await t.data(PUBLISH, { input }, publisher.token);

    const page = await signedIn(member);
    await open(page, '可申报项目');
    await page.locator('.org-project', { hasText: eligible }).waitFor();
    await expect(page.locator('.org-project', { hasText: graded }).count()).resolves.toBe(0);
    await checkAccessible(page, 'org-projects-eligible');

    await page.getByRole('switch', { name: '只看本组织可以申报的项目' }).click();
    const card = page.locator('.org-project', { hasText: graded });
    await card.getByText('本组织不符合条件：评估等级不够。').waitFor();
    await checkAccessible(page, 'org-projects-all');
  });

  it('a hub’s admin accepts a request to join it; a request decided meanwhile is reported, not decided twice', async () => {
    const hub = await t.seed.organization({
      isHub: true,
      name: `济南市职工服务联合会 ${randomBytes(2).toString('hex')}`,
    });
    const ask = async (name: string) => {
      const joiner = await t.seed.organization({ name: `${name} ${randomBytes(2).toString('hex')}` });
      const { requestHubMembership } = await t.data<{ requestHubMembership: { request: { id: string } } }>(
        `mutation ($input: RequestHubMembershipInput!) { requestHubMembership(input: $input) { request { id } } }`,
        { input: { organizationId: joiner.organization.globalId(), hubId: hub.organization.globalId() } },
        joiner.token,
      );
      return { name: joiner.organization.name, requestId: requestHubMembership.request.id };
    };
    const [first, second] = [await ask('历下社工服务中心'), await ask('槐荫助老协会')];

    const page = await signedIn(hub.admin);
    await open(page, '枢纽组织');
    const section = page.locator('.org-hub-incoming');
    await section.getByRole('row', { name: new RegExp(second.name) }).waitFor();
    await checkAccessible(page, 'org-hub-requests');

    await section.getByRole('button', { name: `接受${first.name}的申请` }).click();
    await section.getByText(`已接受${first.name}加入本枢纽`).waitFor();
    await section.getByRole('row', { name: new RegExp(first.name) }).waitFor({ state: 'detached' });

    // Another admin declines the second meanwhile: the hub refuses a second decision.
    await t.data(
      `mutation ($input: DecideHubMembershipInput!) { decideHubMembership(input: $input) { request { id } } }`,
      { input: { requestId: second.requestId, accept: false } },
      (await t.seed.admin()).token,
    );
    await section.getByRole('button', { name: `接受${second.name}的申请` }).click();
    await section.getByText('这份申请已经处理过了。').waitFor();

    await section.locator('.ant-segmented').getByText('已接受', { exact: true }).click();
    await section.getByRole('row', { name: new RegExp(first.name) }).waitFor();
    await checkAccessible(page, 'org-hub-requests-accepted');
  });

  it('a hub’s admin verifies a community group it sponsors (declining needs a reason)', async () => {
    const hub = await t.seed.organization({
      isHub: true,
      name: `历下区社区服务联合会 ${randomBytes(2).toString('hex')}`,
    });
    const name = `阳光社区志愿队 ${randomBytes(2).toString('hex')}`;
    const founder = await t.seed.worker();
    const { registerOrganization } = await t.data<{ registerOrganization: { organization: { id: string } } }>(
      `mutation ($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { organization { id } } }`,
      {
        input: {
          name,
          providerKind: 'COMMUNITY_GROUP',
          sponsorOrganizationId: hub.organization.globalId(),
          foundingType: 'INDEPENDENT',
          homeRegionCode: '370102',
          categoryCodes: ['LIFE'],
        },
      },
      founder.token,
    );

    const page = await signedIn(hub.admin);
    await open(page, '枢纽组织');
    const section = page.locator('.org-hub-sponsored');
    await section.getByRole('row', { name: new RegExp(name) }).waitFor();
    await section.getByRole('button', { name: `不予认证${name}` }).click();
    await section.getByText('不予认证时请写明理由。').waitFor();
    await checkAccessible(page, 'org-hub-sponsored');

    await section.getByLabel(`对${name}的核实情况或理由`).fill('已在社区居委会备案');
    await section.getByRole('button', { name: `认证${name}`, exact: true }).click();
    await section.getByText(`已认证${name}`).waitFor();
    const { organization } = await t.data<{
      organization: { verification: { status: string; reason: string } };
    }>(`query ($id: ID!) { organization(id: $id) { verification { status reason } } }`, {
      id: registerOrganization.organization.id,
    });
    expect(organization.verification).toEqual({ status: 'VERIFIED', reason: '已在社区居委会备案' });
  });
});
