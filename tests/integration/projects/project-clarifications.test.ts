import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';
import type { SeededOrganization } from '../../setup/seed.js';
import { subscriptionsReach, until } from '../../setup/probes.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { fannedOut, inbox, NOTIFY_ENV } from '../notifications/helpers.js';
import { idOf, projectInput, PUBLISH, seedPublisher } from './project-helpers.js';

/**
 * Clarifications during a tender (docs/domain.md, "Clarifications and complaints"): eligible
 * organizations ask, the publisher answers once, every eligible organization hears of the answer in
 * the same notification round, an answer that changes the terms is an amendment, and the open data
 * carries it. One app for the file, with the notification worker on.
 */
let t: TestApp;
let publisher: Awaited<ReturnType<typeof seedPublisher>>;
let otherPublisher: Awaited<ReturnType<typeof seedPublisher>>;
let eligibleA: SeededOrganization;
let eligibleB: SeededOrganization;
let pending: SeededOrganization;

beforeAll(async () => {
  t = await startTestApp(NOTIFY_ENV);
  publisher = await seedPublisher(t);
  otherPublisher = await seedPublisher(t);
  const serving = { categoryCodes: ['LIFE'], regionCodes: ['370100'] };
  eligibleA = await t.seed.organization(serving);
  eligibleB = await t.seed.organization(serving);
  // Serves the same category and region, but only verified organizations may apply.
  pending = await t.seed.organization({ ...serving, verified: false });
});
afterEach(() => subscriptionsReach(t, 0));
afterAll(() => t.stop());

const ASK = `mutation($input: AskProjectQuestionInput!) {
  askProjectQuestion(input: $input) { question { id question answer answeredAt changesTerms } } }`;
const ANSWER = `mutation($input: AnswerProjectQuestionInput!) {
  answerProjectQuestion(input: $input) {
    question { id question answer answeredAt changesTerms }
    amendment { id rationale changes }
    project { id }
  } }`;
const CLARIFICATIONS = `query($id: ID!) { project(id: $id) {
  clarifications { id question answer answeredAt changesTerms }
  openQuestions { id question }
  amendments { rationale changes } } }`;

const codeOf = (res: { body: { errors?: { extensions?: { code?: string } }[] } }) =>
  res.body.errors?.[0]?.extensions?.code;

async function publish(title = '职工子女暑期托管服务'): Promise<string> {
  const res = await t.data<{ publishProject: { project: { id: string } } }>(
    PUBLISH,
    { input: projectInput({ title }) },
    publisher.token,
  );
  return res.publishProject.project.id;
}

function ask(projectId: string, org: SeededOrganization, token: string, question = '服务场地由谁提供？') {
  return t.gql<{ askProjectQuestion: { question: { id: string } } }>(
    ASK,
    { input: { projectId, organizationId: org.organization.globalId(), question } },
    token,
  );
}

async function asked(projectId: string, org: SeededOrganization, question?: string): Promise<string> {
  const res = await ask(projectId, org, org.token, question);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.askProjectQuestion.question.id;
}

function answer(questionId: string, token: string, text = '场地由区总工会提供。', changesTerms = false) {
  return t.gql<{
    answerProjectQuestion: {
      question: { answer: string; changesTerms: boolean };
      amendment: { rationale: string; changes: Record<string, unknown> } | null;
    };
  }>(ANSWER, { input: { questionId, answer: text, changesTerms } }, token);
}

async function auditOf(subjectId: string): Promise<{ action: string; summary: Record<string, unknown> }[]> {
  return t.orm.em
    .fork()
    .execute(`select "action", "summary" from "audit_entry" where "subject_id" = ? order by "id"`, [
      subjectId,
    ]);
}

/** A notification pushed by `notificationReceived`, as these tests select it. */
interface Pushed {
  topic: string;
  subjectId: string;
}

/** `notificationReceived` through `client`: what is pushed to its user, in order. */
function follow(client: Client): Pushed[] {
  const pushed: Pushed[] = [];
  client.subscribe(
    { query: 'subscription { notificationReceived { notifications { topic subjectId } } }' },
    {
      next: (value) =>
        pushed.push(
          ...(
            value.data as { notificationReceived: { notifications: { topic: string; subjectId: string }[] } }
          ).notificationReceived.notifications,
        ),
      error: () => undefined,
      complete: () => undefined,
    },
  );
  return pushed;
}

describe('askProjectQuestion', () => {
  it('takes a question from any member of an eligible organization, and no one sees who asked', async () => {
    const projectId = await publish();
    const member = await t.seed.organizationMember(eligibleA.organization.id, MemberRole.ORG_MEMBER);
    const res = await ask(projectId, eligibleA, member.token, '  是否接受联合申报？ ');
    expect(res.body.errors).toBeUndefined();
    const question = res.body.data!.askProjectQuestion.question;
    expect(question).toMatchObject({ question: '是否接受联合申报？', answer: null, changesTerms: false });
    // Unanswered: the publisher's staff see it to answer it; the public does not yet.
    const staffView = await t.data<{ project: { openQuestions: { id: string }[] } }>(
      CLARIFICATIONS,
      { id: projectId },
      publisher.token,
    );
    expect(staffView.project.openQuestions.map((q) => q.id)).toEqual([question.id]);
    const publicView = await t.data<{ project: { openQuestions: unknown[]; clarifications: unknown[] } }>(
      CLARIFICATIONS,
      { id: projectId },
      null,
    );
    expect(publicView.project).toMatchObject({ openQuestions: [], clarifications: [] });
    // The type has no field that names the asker.
    const fields = await t.data<{ __type: { fields: { name: string }[] } }>(
      '{ __type(name: "ProjectQuestion") { fields { name } } }',
    );
    expect(fields.__type.fields.map((f) => f.name).sort()).toEqual(
      ['amendment', 'answer', 'answeredAt', 'changesTerms', 'createdAt', 'id', 'project', 'question'].sort(),
    );
    const [entry] = await auditOf(question.id);
    expect(entry).toMatchObject({
      action: 'askProjectQuestion',
      summary: { project: projectId, organization: eligibleA.organization.globalId() },
    });
  });

  it('refuses an ineligible organization with the reason, a worker, staff, and someone who is not a member', async () => {
    const projectId = await publish();
    const ineligible = await ask(projectId, pending, pending.token);
    expect(codeOf(ineligible)).toBe('FORBIDDEN');
    expect(ineligible.body.errors![0]!.extensions).toMatchObject({ reason: 'NOT_VERIFIED' });
    const worker = await t.seed.worker();
    expect(codeOf(await ask(projectId, eligibleA, worker.token))).toBe('FORBIDDEN');
    expect(codeOf(await ask(projectId, eligibleA, publisher.token))).toBe('FORBIDDEN');
    // A member of B asking on A's behalf.
    expect(codeOf(await ask(projectId, eligibleA, eligibleB.token))).toBe('FORBIDDEN');
    const count = await t.orm.em
      .fork()
      .execute<{ n: number }[]>('select count(*)::int as n from "project_question" where "project_id" = ?', [
        idOf(projectId),
      ]);
    expect(count[0]!.n).toBe(0);
  });

  it('refuses a member removed between two questions', async () => {
    const projectId = await publish();
    const leaving = await t.seed.organizationMember(eligibleA.organization.id, MemberRole.ORG_MEMBER);
    expect((await ask(projectId, eligibleA, leaving.token)).body.errors).toBeUndefined();
    await t.data(
      'mutation ($input: RemoveOrganizationMemberInput!) { removeOrganizationMember(input: $input) { removedUserId } }',
      { input: { organizationId: eligibleA.organization.globalId(), userId: leaving.user.globalId() } },
      eligibleA.token,
    );
    expect(codeOf(await ask(projectId, eligibleA, leaving.token))).toBe('FORBIDDEN');
  });

  it('refuses a blank question, naming the field, and a question once the tender is closed', async () => {
    const projectId = await publish();
    const blank = await ask(projectId, eligibleA, eligibleA.token, '   ');
    expect(codeOf(blank)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(blank.body.errors![0]!.extensions)).toContain('input.question');
    await t.orm.em
      .fork()
      .execute(`update "project" set "application_closes_at" = now() - interval '1 second' where "id" = ?`, [
        idOf(projectId),
      ]);
    const late = await ask(projectId, eligibleA, eligibleA.token);
    expect(codeOf(late)).toBe('CONFLICT');
  });
});

describe('answerProjectQuestion', () => {
  it('is for the publisher’s staff only: other staff, members and admins are refused', async () => {
    const projectId = await publish();
    const questionId = await asked(projectId, eligibleA);
    const admin = await t.seed.admin();
    expect(codeOf(await answer(questionId, otherPublisher.token))).toBe('FORBIDDEN');
    expect(codeOf(await answer(questionId, eligibleA.token))).toBe('FORBIDDEN');
    expect(codeOf(await answer(questionId, admin.token))).toBe('FORBIDDEN');
    const blank = await answer(questionId, publisher.token, ' ');
    expect(codeOf(blank)).toBe('BAD_USER_INPUT');
    const ok = await answer(questionId, publisher.token);
    expect(ok.body.errors).toBeUndefined();
  });

  it('of two answers at once, one wins and the other gets CONFLICT', async () => {
    const projectId = await publish();
    const questionId = await asked(projectId, eligibleA);
    const results = await Promise.all([
      answer(questionId, publisher.token, '答复甲'),
      answer(questionId, publisher.token, '答复乙'),
    ]);
    const won = results.filter((r) => !r.body.errors);
    expect(won).toHaveLength(1);
    expect(results.map(codeOf).filter(Boolean)).toEqual(['CONFLICT']);
    const view = await t.data<{ project: { clarifications: { answer: string }[] } }>(CLARIFICATIONS, {
      id: projectId,
    });
    expect(view.project.clarifications.map((c) => c.answer)).toEqual([
      won[0]!.body.data!.answerProjectQuestion.question.answer,
    ]);
    expect((await auditOf(projectId)).filter((e) => e.action === 'answerProjectQuestion')).toHaveLength(1);
  });

  it('tells every eligible organization at once, and no ineligible one (equal notice)', async () => {
    const projectId = await publish('困难职工法律援助服务');
    const questionId = await asked(projectId, eligibleA, '是否需要律师资质？');
    await fannedOut(t); // the project's publication has been told: only the answer is pushed below
    const clients = [eligibleA, eligibleB, pending].map((org) => t.ws({ token: org.token }));
    const [toA, toB, toPending] = clients.map(follow) as [Pushed[], Pushed[], Pushed[]];
    await subscriptionsReach(t, 3);
    const res = await answer(questionId, publisher.token, '需要至少一名执业律师。');
    expect(res.body.errors).toBeUndefined();
    const clarified = (pushed: Pushed[]) =>
      pushed.filter((n) => n.topic === 'PROJECT_CLARIFIED' && n.subjectId === projectId);
    await until(
      () => clarified(toA).length === 1 && clarified(toB).length === 1,
      10_000,
      20,
      'the answer reaching both eligible organizations',
    );
    // The round that told them has committed; nothing else will be made of this event.
    await fannedOut(t);
    expect(clarified(toPending)).toEqual([]);
    expect((await inbox(t, pending.token)).items.map((n) => n.topic)).not.toContain('PROJECT_CLARIFIED');
    const told = (await inbox(t, eligibleB.token)).items.find((n) => n.topic === 'PROJECT_CLARIFIED');
    expect(told).toMatchObject({ subjectId: projectId, title: '项目澄清：困难职工法律援助服务' });
    // One event for the answer, matched like the publication.
    const events = await t.orm.em
      .fork()
      .execute<{ n: number }[]>(
        `select count(*)::int as n from "event" where "topic" = 'project.clarified' and "entity_id" = ?`,
        [idOf(projectId)],
      );
    expect(events[0]!.n).toBe(1);
    await Promise.all(clients.map((client) => client.dispose()));
  });

  it('records an answer that changes the terms as an amendment, public with the project and in OCDS', async () => {
    const projectId = await publish();
    const questionId = await asked(projectId, eligibleA, '服务对象是否包括退休职工？联系13912345678');
    const res = await answer(questionId, publisher.token, '包括退休职工，服务人数相应增加。', true);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.answerProjectQuestion.amendment).toEqual({
      id: expect.any(String),
      rationale: '包括退休职工，服务人数相应增加。',
      changes: { clarification: { from: null, to: questionId } },
    });
    const view = await t.data<{
      project: {
        clarifications: { question: string; changesTerms: boolean }[];
        amendments: { rationale: string }[];
      };
    }>(CLARIFICATIONS, { id: projectId });
    expect(view.project.clarifications).toMatchObject([{ changesTerms: true }]);
    expect(view.project.amendments.map((a) => a.rationale)).toEqual(['包括退休职工，服务人数相应增加。']);
    expect((await auditOf(projectId)).find((e) => e.action === 'answerProjectQuestion')).toMatchObject({
      summary: { question: questionId, changesTerms: true },
    });

    const records = (await (await fetch(`${t.url}/opendata/ocds/records.json`)).json()) as {
      records: { ocid: string; releases: { id: string; tag: string[]; tender: Record<string, unknown> }[] }[];
    };
    const record = records.records.find((r) => r.ocid.endsWith(`-${idOf(projectId)}`))!;
    const last = record.releases.at(-1)!;
    expect(last.tag).toEqual(['tenderAmendment']);
    expect(last.tender.hasEnquiries).toBe(true);
    const [amendment] = last.tender.amendments as { rationale: string; description: string }[];
    expect(amendment!.rationale).toBe('包括退休职工，服务人数相应增加。');
    expect(amendment!.description).toContain('服务对象是否包括退休职工');
    // The tender as first published had no enquiries answered yet.
    expect(record.releases[0]!.tender.hasEnquiries).toBeUndefined();
  });

  it('refuses a change of terms once the tender has closed, but still takes a plain answer', async () => {
    const projectId = await publish();
    const questionId = await asked(projectId, eligibleA);
    await t.orm.em
      .fork()
      .execute(`update "project" set "application_closes_at" = now() - interval '1 second' where "id" = ?`, [
        idOf(projectId),
      ]);
    expect(codeOf(await answer(questionId, publisher.token, '改为两年。', true))).toBe('CONFLICT');
    expect((await answer(questionId, publisher.token, '按招标文件执行。')).body.errors).toBeUndefined();
  });
});
