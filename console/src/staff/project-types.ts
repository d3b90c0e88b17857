import type { ApplicationCard, Named, OrganizationSummary, ProjectTerms } from '../shared/fragments.js';

/** An organization's application as the publisher's staff read it. */
export interface StaffApplication extends ApplicationCard {
  organization: OrganizationSummary;
}

/** A project as the staff screens read it (`StaffProjectFields`). */
export interface StaffProjectData extends ProjectTerms {
  updatedAt: string;
  statusReason: string | null;
  applicationOpensAt: string;
  isOpenForApplications: boolean;
  publishedAt: string | null;
  awardedAt: string | null;
  startedAt: string | null;
  closedAt: string | null;
  outcome: string | null;
  evaluationScore: number | null;
  awardedTotal: { amountFen: number } | null;
  regions: (Named & { path: { code: string }[] })[];
  linkedDemandCount: number;
  demandPeopleAffected: number;
  linkedDemands: { id: string; title: string; status: string; peopleAffected: number }[];
  amendments: { id: string; createdAt: string; rationale: string; changes: Record<string, unknown> }[];
  applications: { totalCount: number; edges: { node: StaffApplication }[] };
}

const GRADE_RANK: Record<string, number> = {
  NONE: 0,
  GRADE_1A: 1,
  GRADE_2A: 2,
  GRADE_3A: 3,
  GRADE_4A: 4,
  GRADE_5A: 5,
};

/** One of the project's rules and whether the applicant meets it as it stands now. */
export interface EligibilityLine {
  rule: 'verified' | 'grade' | 'foundingType' | 'regions';
  met: boolean;
}

/**
 * The project's eligibility rules checked against the applicant as it stands now (it was eligible
 * when it applied — the hub refuses others — but a suspension or a new grade may have changed that
 * since): one line per rule the project sets.
 */
export function eligibilityLines(
  project: StaffProjectData,
  application: StaffApplication,
): EligibilityLine[] {
  const rules = project.eligibility;
  const org = application.organization;
  const lines: EligibilityLine[] = [];
  if (rules.verifiedOnly) lines.push({ rule: 'verified', met: org.verificationStatus === 'VERIFIED' });
  if (rules.minGrade !== 'NONE')
    lines.push({ rule: 'grade', met: (GRADE_RANK[org.grade] ?? 0) >= (GRADE_RANK[rules.minGrade] ?? 0) });
  if (rules.allowedFoundingTypes.length > 0)
    lines.push({ rule: 'foundingType', met: rules.allowedFoundingTypes.includes(org.foundingType) });
  if (rules.mustServeRegions) {
    const served = new Set(org.regionsServed.map((r) => r.code));
    // A region is served when the organization serves it or one of the regions containing it.
    const met = project.regions.every((region) => region.path.some((step) => served.has(step.code)));
    lines.push({ rule: 'regions', met });
  }
  return lines;
}

/** Applications still in the running: these can be shortlisted or awarded. */
export const isPending = (application: StaffApplication): boolean =>
  application.status === 'SUBMITTED' || application.status === 'SHORTLISTED';
