import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization } from '../../setup/seed.js';
import { submitDemand } from '../../setup/operations.js';
import { subscriptionsReach } from '../../setup/probes.js';
import { checkAccessible, hasChromium, launchBrowser } from './browser.js';

if (!hasChromium)
  console.warn('SKIPPED: the worker browser test needs /usr/bin/chromium (apt-get install -y chromium).');

let t: TestApp;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let org: SeededOrganization;
/** Every URL the phone asked for: all must be the hub's own (intranets have no Internet). */
const requested: string[] = [];

beforeAll(async () => {
  t = await startTestApp();
  org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
  browser = await launchBrowser({ phone: true });
  browser.context.on('request', (r) => void requested.push(r.url()));
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

/** An organization's step on a demand, driven over the API as its own console would. */
async function asOrganization(
  mutation: string,
  inputType: string,
  input: Record<string, unknown>,
): Promise<void> {
  await t.data(
    `mutation ($input: ${inputType}!) { ${mutation}(input: $input) { demand { id } } }`,
    { input },
    org.token,
  );
}

async function demandById(id: string, token: string) {
  const { demand } = await t.data<{
    demand: {
      status: string;
      rating: number | null;
      endorsementCount: number;
      contactConsent: boolean;
    } | null;
  }>('query ($id: ID!) { demand(id: $id) { status rating endorsementCount contactConsent } }', { id }, token);
  return demand;
}

/** A toast with this text shows, then goes by itself (antd-mobile's last 2 s). */
async function passingToast(page: Page, text: string): Promise<void> {
  const toast = page.locator('.adm-toast-main', { hasText: text });
  await toast.waitFor();
  await toast.waitFor({ state: 'detached' });
}

/** Her demand's card on "my demands". */
const card = (page: Page, title: string) => page.locator('article.worker-demand', { hasText: title });

describe.skipIf(!hasChromium)('the worker’s phone journey', () => {
  it('signs up (a bad number shown at its field), submits with "me too" on a similar demand, follows it live, rates, withdraws', async () => {
    // Another worker's open childcare demand in Lixia: the similar one she will endorse.
    const neighbour = await t.seed.worker();
    const similar = await submitDemand(t, neighbour.token);
    // Hers will be titled like this one: once she types her title, only this one is offered.
    const title = `周末托管 ${randomBytes(3).toString('hex')}`;
    const alike = await submitDemand(t, neighbour.token, { title: `${title}服务` });

    const page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${t.url}/`);
    // A retried run starts signed out too: the first attempt's session is in this profile's storage.
    await page.evaluate('localStorage.clear()');
    await page.reload();
    await page.getByRole('heading', { name: '登录纽带' }).waitFor();
    await checkAccessible(page, 'worker-sign-in');

    // Sign up with a bad number: the hub's BAD_USER_INPUT on input.mobile appears under the field, in Chinese.
    await page.getByRole('tab', { name: '注册' }).click();
    await page.getByLabel('称呼').fill('王芳');
    await page.getByRole('textbox', { name: /^手机号\W*$/ }).fill('12345');
    await page.getByLabel('密码').last().fill('password-123');
    await page.getByRole('button', { name: '注册并登录' }).click();
    const mobileItem = page.locator('.adm-form-item', {
      has: page.getByRole('textbox', { name: /^手机号\W*$/ }),
    });
    await mobileItem.getByText('请输入 11 位中国大陆手机号（13–19 开头）。').waitFor();
    await checkAccessible(page, 'worker-sign-up-error');

    const mobile = `139${String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0')}`;
    await page.getByRole('textbox', { name: /^手机号\W*$/ }).fill(mobile);
    await page.getByRole('button', { name: '注册并登录' }).click();

    // Signed up, she lands on the submission form: category tree, then city → district.
    await page.getByRole('heading', { name: '我要点单' }).waitFor();
    await page.getByRole('radio', { name: '职工生活服务类' }).check();
    await page.getByRole('radio', { name: '抚幼与托育' }).check();
    await page.getByRole('radio', { name: '山东省' }).click();
    await page.getByRole('radio', { name: '济南市' }).click();
    await page.getByRole('radio', { name: '历下区' }).check();

    // Before submitting: the similar open demand, and "me too".
    const similarItem = page.getByTestId('similar-demands').locator('li', { hasText: similar.title });
    await similarItem.getByRole('button', { name: '我也需要' }).click();
    await similarItem.getByText('已附议').waitFor();
    // The confirmation is a toast that goes by itself: she reads on once it has (a toast fading
    // out while axe measures it has no contrast to speak of).
    await passingToast(page, '已附议，组织会看到人数增加');
    expect((await demandById(similar.id, neighbour.token))?.endorsementCount).toBe(1);

    await page.getByLabel('需求标题').fill(title);
    // The hub narrows the list to demands with a similar title.
    await similarItem.waitFor({ state: 'detached' });
    await page.getByTestId('similar-demands').locator('li', { hasText: alike.title }).waitFor();
    await checkAccessible(page, 'worker-similar-by-title');
    await page.getByLabel('具体说明').fill('周末加班，孩子需要有人照看');
    await page.getByRole('radio', { name: '较急' }).check();
    await page.getByLabel('联系方式（可选）').fill('微信 wangfang');
    await page.getByRole('checkbox', { name: '同意认领需求的组织查看我的联系方式' }).check();
    await checkAccessible(page, 'worker-submit');
    await page.getByRole('button', { name: '提交需求' }).click();
    await passingToast(page, '需求已提交');

    // "My demands": open, nobody serving it yet.
    await page.getByRole('heading', { name: '我的需求' }).waitFor();
    const mine = card(page, title);
    await mine.getByTestId('demand-status').getByText('待认领').waitFor();
    await mine.getByText('还没有组织认领').waitFor();

    const { signIn } = await t.data<{ signIn: { token: string } }>(
      'mutation ($input: SignInInput!) { signIn(input: $input) { token } }',
      { input: { login: mobile, password: 'password-123' } },
    );
    const { viewer } = await t.data<{
      viewer: {
        submittedDemands: { edges: { node: { id: string; urgency: string; contactConsent: boolean } }[] };
      };
    }>(
      '{ viewer { submittedDemands(first: 5) { edges { node { id urgency contactConsent } } } } }',
      {},
      signIn.token,
    );
    const demand = viewer.submittedDemands.edges[0]!.node;
    expect(demand).toMatchObject({ urgency: 'HIGH', contactConsent: true });

    // The bell's subscription and the card's demandUpdated are on the hub: what follows arrives live.
    await subscriptionsReach(t, 2);
    const organizationId = org.organization.globalId();
    await asOrganization('claimDemand', 'ClaimDemandInput', { demandId: demand.id, organizationId });
    await mine.getByTestId('demand-status').getByText('已认领').waitFor();
    await mine.getByText(`服务组织：${org.organization.name}`).waitFor();

    await t.data(
      'mutation ($input: ReportDemandProgressInput!) { reportDemandProgress(input: $input) { demand { id } } }',
      { input: { demandId: demand.id, note: '已联系社区托育点，本周六开始' } },
      org.token,
    );
    await mine.getByTestId('progress-notes').getByText('已联系社区托育点，本周六开始').waitFor();
    await mine.getByTestId('demand-status').getByText('服务中').waitFor();
    await checkAccessible(page, 'worker-my-demands-live');

    await asOrganization('fulfilDemand', 'FulfilDemandInput', {
      demandId: demand.id,
      note: '托管已安排完毕',
    });
    await mine.getByTestId('demand-status').getByText('已完成').waitFor();
    await mine.getByText('托管已安排完毕').waitFor();
    await mine.getByRole('radio', { name: '★★★★★ 5' }).check();
    await mine.getByLabel('评价（可选）').fill('很及时');
    await checkAccessible(page, 'worker-rate');
    await mine.getByRole('button', { name: '提交评价' }).click();
    await mine.getByText('您的评分：5 星 · “很及时”').waitFor();
    expect((await demandById(demand.id, signIn.token))?.rating).toBe(5);

    // The demand she endorsed is in her list.
    await page.getByRole('link', { name: '我附议的' }).click();
    await page.getByRole('heading', { name: '我附议的需求' }).waitFor();
    await card(page, similar.title).getByTestId('demand-status').getByText('待认领').waitFor();
    await checkAccessible(page, 'worker-endorsed');

    // Withdraw an open one.
    const second = await submitDemand(t, signIn.token);
    await page.getByRole('link', { name: '我的需求' }).click();
    const open = card(page, second.title);
    await open.getByRole('button', { name: '撤回' }).click();
    const confirm = page.locator('.adm-dialog');
    await confirm.getByText(`确定撤回“${second.title}”吗？`, { exact: false }).waitFor();
    await checkAccessible(page, 'worker-withdraw-confirm');
    await confirm.getByRole('button', { name: '撤回' }).click();
    await open.getByTestId('demand-status').getByText('已撤回').waitFor();
    expect((await demandById(second.id, signIn.token))?.status).toBe('WITHDRAWN');
    await page.close();

    expect(requested.filter((url) => !url.startsWith(t.url) && !url.startsWith('data:'))).toEqual([]);
    // GraphiQL never came to the phone: the explorer's stylesheet was not asked for.
    expect(requested.filter((url) => url.endsWith('/console/explorer.css'))).toEqual([]);
  });
});
