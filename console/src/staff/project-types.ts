import type { ApplicationCard, Named, OrganizationSummary, ProjectTerms } from '../shared/fragments.js';

/** An organization's application as the publisher's staff read it. */
export interface StaffApplication extends ApplicationCard {
  organization: OrganizationSummary;
  /** The hub's verdict on the applicant as it stands now (the rules `applyToProject` applies). */
  eligibility: { eligible: boolean; failedRules: string[] } | null;
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
  fairnessFlags: {
    kind: string;
    rationale: string;
    raisedAt: string;
    organization: { id: string; name: string } | null;
  }[];
  applications: { totalCount: number; edges: { node: StaffApplication }[] };
}

/** Applications still in the running: these can be shortlisted or awarded. */
export const isPending = (application: StaffApplication): boolean =>
  application.status === 'SUBMITTED' || application.status === 'SHORTLISTED';
