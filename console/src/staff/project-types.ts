import type { Named } from './staff-data.js';

/** An organization's application as the publisher's staff read it. */
export interface StaffApplication {
  id: string;
  status: string;
  proposal: string;
  createdAt: string;
  requested: { amountFen: number };
  awarded: { amountFen: number } | null;
  /** The hub's verdict on the applicant as it stands now (the rules `applyToProject` applies). */
  eligibility: { eligible: boolean; failedRules: string[] } | null;
  organization: {
    id: string;
    name: string;
    creditCode: string;
    verificationStatus: string;
    grade: string;
    foundingType: string;
    regionsServed: Named[];
  };
}

export interface ProjectEligibility {
  verifiedOnly: boolean;
  minGrade: string;
  allowedFoundingTypes: string[];
  mustServeRegions: boolean;
}

/** A project as the staff screens read it (`StaffProjectFields`). */
export interface StaffProjectData {
  id: string;
  title: string;
  description: string;
  status: string;
  updatedAt: string;
  statusReason: string | null;
  procurementMethod: string;
  budget: { amountFen: number };
  applicationOpensAt: string;
  applicationClosesAt: string;
  isOpenForApplications: boolean;
  publishedAt: string | null;
  awardedAt: string | null;
  startedAt: string | null;
  closedAt: string | null;
  outcome: string | null;
  evaluationScore: number | null;
  awardedTotal: { amountFen: number } | null;
  publisher: { id: string; name: string };
  category: Named;
  regions: (Named & { path: { code: string }[] })[];
  eligibility: ProjectEligibility;
  linkedDemandCount: number;
  demandPeopleAffected: number;
  linkedDemands: { id: string; title: string; status: string; peopleAffected: number }[];
  amendments: { id: string; createdAt: string; rationale: string; changes: Record<string, unknown> }[];
  applications: { totalCount: number; edges: { node: StaffApplication }[] };
}

/** Applications still in the running: these can be shortlisted or awarded. */
export const isPending = (application: StaffApplication): boolean =>
  application.status === 'SUBMITTED' || application.status === 'SHORTLISTED';
