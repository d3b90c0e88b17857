/**
 * Clarifications and complaints in the OCDS releases (docs/domain.md, "Clarifications and
 * complaints"), added to the releases `releasesOf` builds (ocds.ts):
 *
 * | what                                  | in the releases                                                    |
 * |---------------------------------------|--------------------------------------------------------------------|
 * | an answer that changes the terms      | its amendment in `tender.amendments` (ocds.ts), described here with the question |
 * | any answered question                 | `tender.hasEnquiries: true` from its answer on (core OCDS)         |
 * | a complaint's ruling                  | a `tenderUpdate` release at `ruledAt`, and from then on a `tender.documents` entry of type `complaints` |
 *
 * The enquiries extension is not among the standards this hub validates against (README,
 * "Open data"), so questions are not listed one by one: their answers are public through
 * the API (`Project.clarifications`), and those that change the terms are amendments. A complaint's
 * document holds its grounds, the publisher's response, the outcome and the reasoning, with phone
 * numbers hidden, as `Project.complaints` shows them; never who filed, responded or ruled.
 *
 * @module
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProjectQuestion } from '../projects/clarification.entity.js';
import { ProjectComplaint } from '../projects/complaint.entity.js';
import { ComplaintOutcome } from '../projects/project.enums.js';
import { hidePhoneNumbers } from '../projects/public-text.js';

/** The fields of an OCDS release (`OcdsRelease`, ocds.ts, which calls this) read and written here. */
interface Release {
  ocid: string;
  id: string;
  date: string;
  tag: string[];
  tender: Record<string, unknown>;
}

/** What one project's releases add: its answered questions and its ruled complaints. */
export interface ClarificationsAndComplaints {
  answered: { question: string; answeredAt: Date; amendmentId: number | null }[];
  ruled: {
    id: number;
    grounds: string;
    response: string | null;
    outcome: ComplaintOutcome;
    reasoning: string;
    filedAt: Date;
    ruledAt: Date;
  }[];
}

/** The answered questions and ruled complaints of a batch of projects, in two queries. */
export async function loadClarificationsAndComplaints(
  em: EntityManager,
  projectIds: readonly number[],
): Promise<Map<number, ClarificationsAndComplaints>> {
  const [questions, complaints] = await Promise.all([
    em.find(
      ProjectQuestion,
      { project: { $in: [...projectIds] }, answer: { $ne: null } },
      { orderBy: { answeredAt: 'asc', id: 'asc' } },
    ),
    em.find(
      ProjectComplaint,
      { project: { $in: [...projectIds] }, outcome: { $ne: null } },
      { orderBy: { ruledAt: 'asc', id: 'asc' } },
    ),
  ]);
  const byProject = new Map<number, ClarificationsAndComplaints>();
  const of = (projectId: number) => {
    let entry = byProject.get(projectId);
    if (!entry) byProject.set(projectId, (entry = { answered: [], ruled: [] }));
    return entry;
  };
  for (const q of questions)
    of(q.project.id).answered.push({
      question: q.question,
      answeredAt: q.answeredAt!,
      amendmentId: q.amendment?.id ?? null,
    });
  for (const c of complaints)
    of(c.project.id).ruled.push({
      id: c.id,
      grounds: c.grounds,
      response: c.response ?? null,
      outcome: c.outcome!,
      reasoning: c.reasoning ?? '',
      filedAt: c.createdAt,
      ruledAt: c.ruledAt!,
    });
  return byProject;
}

const OUTCOME_NAMES: Record<ComplaintOutcome, string> = {
  [ComplaintOutcome.UPHELD]:
    '成立，中标结果暂停并重新评审 (upheld: the award is suspended and evaluated again)',
  [ComplaintOutcome.DISMISSED]: '驳回，中标结果维持 (dismissed: the award stands)',
};

/** The public document of a ruled complaint (OCDS documentType `complaints`). */
function complaintDocument(complaint: ClarificationsAndComplaints['ruled'][number]): Record<string, unknown> {
  const parts = [
    `质疑理由 (grounds): ${hidePhoneNumbers(complaint.grounds)}`,
    ...(complaint.response ? [`采购方答复 (response): ${hidePhoneNumbers(complaint.response)}`] : []),
    `裁决 (ruling): ${OUTCOME_NAMES[complaint.outcome]}`,
    `理由 (reasoning): ${hidePhoneNumbers(complaint.reasoning)}`,
    `提出 (filed): ${complaint.filedAt.toISOString()}`,
  ];
  return {
    id: `complaint-${complaint.id}`,
    documentType: 'complaints',
    title: `质疑/投诉处理结果 (complaint ruling): ${complaint.outcome === ComplaintOutcome.UPHELD ? '成立 (upheld)' : '驳回 (dismissed)'}`,
    description: parts.join('\n'),
    datePublished: complaint.ruledAt.toISOString(),
    language: 'zh',
  };
}

/**
 * One project's releases (oldest first, as `releasesOf` returns them) with its clarifications and
 * complaints added: a ruling becomes a release of its own, a copy of the latest release before it
 * (the process as it stood) with the ruling's document; that document stays in every later release.
 */
export function withClarificationsAndComplaints<R extends Release>(
  releases: R[],
  facts: ClarificationsAndComplaints | undefined,
): R[] {
  if (!facts || releases.length === 0) return releases;
  const out = [...releases];
  for (const complaint of facts.ruled) {
    const ruledAt = complaint.ruledAt.getTime();
    let at = out.findIndex((r) => new Date(r.date).getTime() > ruledAt);
    if (at === -1) at = out.length;
    const base = out[Math.max(at - 1, 0)]!;
    const release = structuredClone(base);
    release.id = `${base.ocid}-complaint-${complaint.id}`;
    // Never before the release it follows, whatever the clocks did.
    release.date = new Date(Math.max(ruledAt, new Date(base.date).getTime())).toISOString();
    release.tag = ['tenderUpdate'];
    out.splice(at, 0, release);
  }
  const byAmendment = new Map(
    facts.answered.filter((q) => q.amendmentId !== null).map((q) => [String(q.amendmentId), q.question]),
  );
  for (const release of out) {
    const date = new Date(release.date).getTime();
    const tender = release.tender;
    if (facts.answered.some((q) => q.answeredAt.getTime() <= date)) tender.hasEnquiries = true;
    for (const amendment of (tender.amendments as Record<string, unknown>[] | undefined) ?? []) {
      const question = byAmendment.get(amendment.id as string);
      if (question !== undefined)
        amendment.description = `澄清答复 (clarification answer) — 问 (question): ${question}`;
    }
    const documents = facts.ruled.filter((c) => c.ruledAt.getTime() <= date).map((c) => complaintDocument(c));
    if (documents.length)
      tender.documents = [
        ...((tender.documents as Record<string, unknown>[] | undefined) ?? []),
        ...documents,
      ];
  }
  return out;
}
