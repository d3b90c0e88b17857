import type { Named, OrganizationDetails } from '../shared/fragments.js';

/** An organization as the admin screens read it (`AdminOrganizationFields`). */
export interface AdminOrganization extends OrganizationDetails {
  verification: { status: string; reason: string | null; decidedAt: string | null };
  createdAt: string;
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
}

export const GRADES = ['NONE', 'GRADE_1A', 'GRADE_2A', 'GRADE_3A', 'GRADE_4A', 'GRADE_5A'];
