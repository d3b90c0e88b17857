import type { Named, OrganizationDetails } from '../shared/fragments.js';

/** An organization as the admin screens read it (`AdminOrganizationFields`). */
export interface AdminOrganization extends OrganizationDetails {
  verification: { status: string; reason: string | null; decidedAt: string | null };
  createdAt: string;
}

/** `Organization.creditCodeCheck`: what the hub stored of the credit code's check. */
export interface CreditCodeFindings {
  checksumValid: boolean;
  authorityCode: string | null;
  civilAffairs: boolean;
  kind: string | null;
  registrationRegionCode: string | null;
  problem: string | null;
  checkedAt: string;
}

/** A document an organization uploaded for its verification (`Organization.documents`). */
export interface OrganizationDocumentData {
  id: string;
  kind: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  createdAt: string;
  downloadPath: string;
}

/** An organization waiting in the verification queue. */
export interface PendingOrganizationData extends AdminOrganization {
  creditCodeCheck: CreditCodeFindings | null;
  documents: OrganizationDocumentData[] | null;
}

export interface AdminAccount {
  id: string;
  displayName: string;
  email: string | null;
  mobile: string | null;
  roles: string[] | null;
  status: string | null;
  regionScope: Named | null;
  publisher: { id: string; name: string } | null;
  createdAt?: string | null;
}

/** A page of `accounts`, newest first. */
export interface AdminAccountPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: AdminAccount }[];
}

export const GRADES = ['NONE', 'GRADE_1A', 'GRADE_2A', 'GRADE_3A', 'GRADE_4A', 'GRADE_5A'];
