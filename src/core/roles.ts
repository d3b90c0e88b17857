import { registerEnumType } from 'type-graphql';

/** What a user may do on the platform (docs/domain.md, "Roles"; who sees what: docs/SECURITY.md). */
export enum Role {
  WORKER = 'WORKER',
  ORG_MEMBER = 'ORG_MEMBER',
  ORG_ADMIN = 'ORG_ADMIN',
  UNION_STAFF = 'UNION_STAFF',
  GOV_STAFF = 'GOV_STAFF',
  ENTERPRISE_STAFF = 'ENTERPRISE_STAFF',
  ADMIN = 'ADMIN',
}

registerEnumType(Role, {
  name: 'Role',
  description: 'A role on the platform.',
  valuesConfig: {
    WORKER: { description: 'A worker (职工): submits, endorses and rates demands.' },
    ORG_MEMBER: { description: 'A member of a social organization (社会组织).' },
    ORG_ADMIN: { description: 'An administrator of a social organization.' },
    UNION_STAFF: { description: 'Staff of a trade union (工会) unit, scoped to a region.' },
    GOV_STAFF: { description: 'Staff of a government department that purchases services.' },
    ENTERPRISE_STAFF: { description: 'Staff of an enterprise that purchases services.' },
    ADMIN: { description: 'A platform administrator.' },
  },
});

/** Roles an account can be created with by staff (organization roles come from memberships). */
export const STAFF_ROLES = [Role.UNION_STAFF, Role.GOV_STAFF, Role.ENTERPRISE_STAFF, Role.ADMIN] as const;

/** A user's role inside one organization (each Viewer carries one per membership). */
export enum MemberRole {
  ORG_ADMIN = 'ORG_ADMIN',
  ORG_MEMBER = 'ORG_MEMBER',
}
registerEnumType(MemberRole, { name: 'MemberRole', description: "A user's role inside one organization." });
