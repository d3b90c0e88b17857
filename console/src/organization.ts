import { request } from './shared/api.js';
import { MATCHING_ORGANIZATIONS, ORGANIZATION_BY_CREDIT_CODE } from './operations.js';

/** The organization the board acts for. */
export interface ActingOrganization {
  id: string;
  name: string;
}

/** Looks an organization up by its unified social credit code. */
export async function organizationByCreditCode(
  token: string,
  creditCode: string,
): Promise<ActingOrganization | null> {
  const data = await request<{ organization: ActingOrganization | null }>(
    ORGANIZATION_BY_CREDIT_CODE,
    { creditCode },
    token,
  );
  return data.organization;
}

interface MatchingData {
  matchingOrganizations: {
    edges: { node: { organization: ActingOrganization & { members: { user: { id: string } }[] | null } } }[];
  };
}

/**
 * Finds, among the organizations able to serve a demand, the one the viewer is a member of (members
 * are visible to an organization's own members). Null when the viewer belongs to none of them.
 */
export async function myOrganizationFor(
  token: string,
  viewerId: string,
  demandId: string,
): Promise<ActingOrganization | null> {
  const data = await request<MatchingData>(MATCHING_ORGANIZATIONS, { demandId }, token);
  const mine = data.matchingOrganizations.edges.find(({ node }) =>
    node.organization.members?.some((m) => m.user.id === viewerId),
  );
  return mine ? { id: mine.node.organization.id, name: mine.node.organization.name } : null;
}
