import { randomBytes, randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { makeCreditCode } from '../../../src/modules/organizations/credit-code.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { checkAccessible, hasChromium, launchBrowser, settled } from './browser.js';

if (!hasChromium)
  console.warn('SKIPPED: the admin journey needs /usr/bin/chromium (apt-get install -y chromium).');

let t: TestApp;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let admin: SeededUser;
let pendingId: string;
let pendingName: string;
let verified: SeededOrganization;
let verifiedId: string;
let founder: SeededUser;

/** The smallest bytes a PDF reader and the hub's type check accept as a PDF. */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
const PNG = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
]);

interface Standing {
  verificationStatus: string;
  grade: string;
  verification: { reason: string | null };
}

const standingOf = async (id: string): Promise<Standing> =>
  (
    await t.data<{ organization: Standing }>(
      `query ($id: ID!) { organization(id: $id) { verificationStatus grade verification { reason } } }`,
      { id },
      admin.token,
    )
  ).organization;

describe.skipIf(!hasChromium)('the admin journey: verification queue, suspension and restoration', () => {
  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.seed.admin();
    // A new organization registers itself through the API and waits in the queue.
    founder = await t.seed.worker();
    pendingName = `历下区职工之家服务中心 ${randomBytes(3).toString('hex')}`;
    const { registerOrganization } = await t.data<{ registerOrganization: { organization: { id: string } } }>(
      `mutation ($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { organization { id } } }`,
      {
        input: {
          name: pendingName,
          creditCode: makeCreditCode('SOCIAL_SERVICE_AGENCY', randomInt(1_000_000, 2_000_000_000), '370102'),
          kind: 'SOCIAL_SERVICE_AGENCY',
          foundingType: 'UNION_INCUBATED',
          homeRegionCode: '370102',
          categoryCodes: ['LIFE'],
          description: '为辖区职工提供托育和法律咨询',
        },
      },
      founder.token,
    );
    pendingId = registerOrganization.organization.id;
    verified = await t.seed.organization({ name: `槐荫区社工服务社 ${randomBytes(3).toString('hex')}` });
    verifiedId = (
      await t.data<{ organization: { id: string } }>(
        `query ($creditCode: String!) { organization(creditCode: $creditCode) { id } }`,
        { creditCode: verified.organization.creditCode },
        admin.token,
      )
    ).organization.id;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('the organization’s admin uploads its documents on the profile screen; a wrong file is refused, a wrong one removed', async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, founder);
    await page.goto(`${t.url}/#/org/profile`);
    const upload = page.locator('#document-upload');
    await page.getByText('尚未上传材料').waitFor();

    // A file whose name says PDF but whose bytes are HTML: refused beside the file field, nothing stored.
    await upload
      .getByLabel('文件')
      .setInputFiles({ name: '章程.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<html></html>') });
    await upload.getByRole('button', { name: '上传材料' }).click();
    await upload.getByText('请选择非空且不超过大小限制的 PDF、JPEG 或 PNG 文件。').waitFor();
    await checkAccessible(page, 'org-documents-bad-file');

    await upload.getByLabel('材料类型').click();
    await page.locator('.ant-select-item-option[title="章程"]').click();
    await upload
      .getByLabel('文件')
      .setInputFiles({ name: '章程.pdf', mimeType: 'application/pdf', buffer: PDF });
    await upload.getByRole('button', { name: '上传材料' }).click();
    await page.getByRole('row', { name: /章程\.pdf/ }).waitFor();
    await upload.getByLabel('材料类型').click();
    await page.locator('.ant-select-item-option[title="其他材料"]').click();
    await upload.getByLabel('文件').setInputFiles({ name: 'wrong.png', mimeType: 'image/png', buffer: PNG });
    await upload.getByRole('button', { name: '上传材料' }).click();
    const wrong = page.getByRole('row', { name: /wrong\.png/ });
    await wrong.waitFor();
    await checkAccessible(page, 'org-documents');
    await wrong.getByRole('button', { name: '删除 wrong.png' }).click();
    await wrong.waitFor({ state: 'detached' });
    await page.close();
  });

  it('verifies a pending organization with a grade and a reason, reading its stored code check and documents', async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, admin);
    await page.goto(`${t.url}/#/admin/verification`);
    const card = page.getByTestId('pending-organization').filter({ hasText: pendingName });
    await card.getByTestId('credit-code-check').getByText('校验通过：社会服务机构').waitFor();
    await card.getByText('登记机关区划码 370102 与登记地一致').waitFor();
    const documents = card.getByTestId('organization-documents');
    await expect(documents.getByRole('link').allTextContents()).resolves.toEqual(['下载 章程.pdf']);
    await checkAccessible(page, 'admin-verification-queue');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      documents.getByRole('link', { name: '下载 章程.pdf' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('章程.pdf');
    const saved = await download.path();
    expect((await readFile(saved)).equals(PDF)).toBe(true);

    // A reason is required: the form says so before anything is sent.
    await card.getByRole('button', { name: '通过认证' }).click();
    await card.getByText('请填写理由').waitFor();
    await card.getByLabel('评估等级').click();
    await page.locator('.ant-select-item-option[title="3A"]').click();
    await card.getByLabel('理由').fill('登记证书、章程与年检报告已核对');
    await card.getByRole('button', { name: '通过认证' }).click();
    await card.waitFor({ state: 'detached' });

    await expect(standingOf(pendingId)).resolves.toEqual({
      verificationStatus: 'VERIFIED',
      grade: 'GRADE_3A',
      verification: { reason: '登记证书、章程与年检报告已核对' },
    });
    await page.close();
  });

  it('suspends an organization with a reason, then restores it', async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, admin);
    await page.goto(`${t.url}/#/admin/organizations`);
    await page.getByLabel('搜索名称或简介').fill(verified.organization.name);
    await page.getByLabel('搜索名称或简介').press('Enter');
    const row = page.getByRole('row', { name: new RegExp(verified.organization.name) });
    await row.getByTestId('verification-status').getByText('已认证').waitFor();
    await checkAccessible(page, 'admin-organizations');

    await row.getByRole('button', { name: '暂停该组织' }).click();
    const dialog = page.getByRole('dialog');
    await settled(page);
    await dialog.getByLabel('理由').fill('服务对象投诉，暂停核查');
    await checkAccessible(page, 'admin-suspend-dialog');
    await dialog.getByRole('button', { name: '确认暂停' }).click();
    await row.getByTestId('verification-status').getByText('已暂停').waitFor();
    await expect(standingOf(verifiedId)).resolves.toMatchObject({
      verificationStatus: 'SUSPENDED',
      verification: { reason: '服务对象投诉，暂停核查' },
    });

    await row.getByRole('button', { name: '恢复该组织' }).click();
    await settled(page);
    await page.getByRole('dialog').getByLabel('理由').fill('核查完毕，投诉不成立');
    await page.getByRole('dialog').getByRole('button', { name: '确认恢复' }).click();
    await row.getByTestId('verification-status').getByText('已认证').waitFor();
    await expect(standingOf(verifiedId)).resolves.toMatchObject({
      verificationStatus: 'VERIFIED',
      verification: { reason: '核查完毕，投诉不成立' },
    });
    await page.close();
  });

  it('creates an enterprise staff account, finds it in the account list and suspends it; lists publishers', async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, admin);
    await page.goto(`${t.url}/#/admin/accounts`);
    // Every account, newest first: the admin's own among them, with its whole e-mail.
    const list = page.getByRole('table');
    await list
      .getByRole('row', { name: new RegExp(admin.user.displayName) })
      .getByText(admin.user.email!)
      .waitFor();
    await checkAccessible(page, 'admin-accounts');

    const create = page.locator('#staff-account');
    await create.getByLabel('角色').click();
    await page.locator('.ant-select-item-option[title="企业工作人员"]').click();
    await create.getByLabel('姓名').fill('王采购');
    const email = `buyer-${randomBytes(3).toString('hex')}@example.test`;
    await create.getByLabel('电子邮箱').fill(email);
    await create.getByLabel('初始密码').fill('a long enough password');
    await checkAccessible(page, 'admin-staff-accounts');
    // Submitted from the keyboard: the button sits below the fold, under the list.
    await create.getByLabel('初始密码').press('Enter');
    const row = list.getByRole('row', { name: /王采购/ });
    await row.getByText('正常').waitFor();

    // Searched by part of the e-mail, then narrowed by role; a search nobody matches says so.
    const search = page.getByLabel('搜索姓名、手机号或邮箱');
    await search.fill(email.slice(0, 12).toUpperCase());
    await search.press('Enter');
    await list.getByRole('row', { name: /王采购/ }).waitFor();
    await list.getByRole('row', { name: new RegExp(admin.user.displayName) }).waitFor({ state: 'detached' });
    await page.locator('#admin-accounts-role').click();
    await page.locator('.ant-select-item-option[title="平台管理员"]').click();
    await list.getByText('没有符合条件的账号').waitFor();
    await checkAccessible(page, 'admin-accounts-none');
    await page.locator('#admin-accounts-role').click();
    await page.locator('.ant-select-item-option[title="企业工作人员"]').click();
    await row.waitFor();
    await checkAccessible(page, 'admin-accounts-search');

    await row.getByRole('button', { name: '停用 王采购' }).click();
    const dialog = page.getByRole('dialog');
    // The shared reason dialog: a reason is required before anything is sent.
    await settled(page);
    await dialog.getByRole('button', { name: '确认更改' }).click();
    await dialog.getByText('请填写理由').waitFor();
    await checkAccessible(page, 'admin-account-status-dialog');
    await dialog.getByLabel('理由').fill('已离职');
    await dialog.getByRole('button', { name: '确认更改' }).click();
    await row.getByText('已停用').waitFor();
    const signedIn = await t.gql(`mutation ($input: SignInInput!) { signIn(input: $input) { token } }`, {
      input: { login: email, password: 'a long enough password' },
    });
    expect(signedIn.body.errors?.[0]).toMatchObject({
      message: 'This account is suspended.',
      extensions: { code: 'UNAUTHENTICATED' },
    });

    // Listed by status, and made active again from its row.
    await page.locator('#admin-accounts-status').click();
    await page.locator('.ant-select-item-option[title="已停用"]').click();
    await row.getByText('已停用').waitFor();
    await row.getByRole('button', { name: '启用 王采购' }).click();
    await settled(page);
    await page.getByRole('dialog').getByLabel('理由').fill('返聘');
    await page.getByRole('dialog').getByRole('button', { name: '确认更改' }).click();
    await row.getByText('正常').waitFor();

    await page.goto(`${t.url}/#/admin/publishers`);
    await page.getByRole('heading', { name: '购买主体' }).waitFor();
    await checkAccessible(page, 'admin-publishers');
    await page.close();
    // A long journey (eight screens checked, two reason dialogs): 18 s alone, 25–30 s beside
    // another browser file, past the default 30 s.
  }, 60_000);

  it('union staff verify a pending organization of their region and see none outside it', async () => {
    const staff = await t.seed.unionStaff('370100');
    const suffix = randomBytes(3).toString('hex');
    const inScope = await t.seed.organization({
      name: `市中区助残服务社 ${suffix}`,
      verified: false,
      homeRegionCode: '370103',
    });
    const outside = await t.seed.organization({
      name: `市南区助老服务社 ${suffix}`,
      verified: false,
      homeRegionCode: '370202',
    });
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, staff);
    // Her navigation leads to the queue; it lists the organizations her scope (Jinan) covers only.
    await page.getByRole('link', { name: '认证审核' }).click();
    const card = page.getByTestId('pending-organization').filter({ hasText: inScope.organization.name });
    await card.waitFor();
    await expect(
      page.getByTestId('pending-organization').filter({ hasText: outside.organization.name }).count(),
    ).resolves.toBe(0);
    await checkAccessible(page, 'staff-verification-queue');
    await card.getByLabel('评估等级').click();
    await page.locator('.ant-select-item-option[title="4A"]').click();
    await card.getByLabel('理由').fill('实地走访，材料齐全');
    await card.getByRole('button', { name: '通过认证' }).click();
    await card.waitFor({ state: 'detached' });
    await expect(standingOf(inScope.organization.globalId())).resolves.toEqual({
      verificationStatus: 'VERIFIED',
      grade: 'GRADE_4A',
      verification: { reason: '实地走访，材料齐全' },
    });
    await expect(standingOf(outside.organization.globalId())).resolves.toMatchObject({
      verificationStatus: 'PENDING',
    });
    await page.close();
  });
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
