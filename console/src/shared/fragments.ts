/**
 * The selections several screens read — a demand card, an organization, a project, an application,
 * a page of a connection — each written once as a GraphQL fragment beside the TypeScript type of
 * what it returns.
 *
 * A fragment is made with `fragment(definition, ...fragmentsItSpreads)`. An operation that spreads
 * fragments is written with the `graphql` tag, the fragments interpolated after it: the tag appends
 * each one's definition, and those of the fragments it spreads, once each (GraphQL refuses a fragment
 * defined twice, or defined and not spread). tests/unit/console/operations.test.ts validates every
 * operation against the published schema.
 */

export interface Fragment {
  readonly name: string;
  /** This fragment's definition and those of the fragments it spreads, by fragment name. */
  readonly definitions: ReadonlyMap<string, string>;
}

function addDefinitions(into: Map<string, string>, fragment: Fragment): void {
  for (const [name, definition] of fragment.definitions) {
    const known = into.get(name);
    if (known !== undefined && known !== definition)
      throw new Error(`two different GraphQL fragments are named ${name}`);
    into.set(name, definition);
  }
}

export function fragment(definition: string, ...spreads: Fragment[]): Fragment {
  const name = /^\s*fragment\s+(\w+)\s+on\s/.exec(definition)?.[1];
  if (!name) throw new Error('a fragment definition starts with "fragment <Name> on <Type>"');
  const definitions = new Map<string, string>();
  for (const spread of spreads) addDefinitions(definitions, spread);
  addDefinitions(definitions, { name, definitions: new Map([[name, definition.trim()]]) });
  return { name, definitions };
}

/** An operation's text with the definitions of the fragments interpolated after it. */
export function graphql(operation: TemplateStringsArray, ...fragments: Fragment[]): string {
  const definitions = new Map<string, string>();
  for (const used of fragments) addDefinitions(definitions, used);
  return [operation.join('').trim(), ...definitions.values()].join('\n');
}

/** A region, category or target group: its code and its names in both languages. */
export interface Named {
  code: string;
  name: string;
  nameEn: string;
}

/** A level of a tree with the level below it (a category's subcategories, a region's divisions). */
export type NamedWithChildren = Named & { children: Named[] };

export const REGION_NAME = fragment(/* GraphQL */ `
  fragment RegionName on Region {
    code
    name
    nameEn
  }
`);

export const CATEGORY_NAME = fragment(/* GraphQL */ `
  fragment CategoryName on ServiceCategory {
    code
    name
    nameEn
  }
`);

export const TARGET_GROUP_NAME = fragment(/* GraphQL */ `
  fragment TargetGroupName on TargetGroupInfo {
    code
    name
    nameEn
  }
`);

export const CATEGORY_WITH_CHILDREN = fragment(
  /* GraphQL */ `
    fragment CategoryWithChildren on ServiceCategory {
      ...CategoryName
      children {
        ...CategoryName
      }
    }
  `,
  CATEGORY_NAME,
);

export const REGION_WITH_CHILDREN = fragment(
  /* GraphQL */ `
    fragment RegionWithChildren on Region {
      ...RegionName
      children {
        ...RegionName
      }
    }
  `,
  REGION_NAME,
);

/** A region offered for choosing: a district is the last level. */
export type RegionChoice = Named & { level: string };

export const REGION_CHOICE = fragment(
  /* GraphQL */ `
    fragment RegionChoice on Region {
      ...RegionName
      level
    }
  `,
  REGION_NAME,
);

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export const PAGE_INFO = fragment(/* GraphQL */ `
  fragment PageInfoFields on PageInfo {
    hasNextPage
    endCursor
  }
`);

/** A demand as every list shows it; the worker's and the organization's lists read more. */
export interface DemandCard {
  id: string;
  title: string;
  status: string;
  urgency: string;
  peopleAffected: number;
  endorsementCount: number;
  createdAt: string;
  category: Named;
  region: Named;
  claimedBy: { id: string; name: string } | null;
}

export const DEMAND_CARD = fragment(
  /* GraphQL */ `
    fragment DemandCard on Demand {
      id
      title
      status
      urgency
      peopleAffected
      endorsementCount
      createdAt
      category {
        ...CategoryName
      }
      region {
        ...RegionName
      }
      claimedBy {
        id
        name
      }
    }
  `,
  CATEGORY_NAME,
  REGION_NAME,
);

/** An organization as a publisher judges an applicant: who it is, its standing and where it works. */
export interface OrganizationSummary {
  id: string;
  name: string;
  /** Null for a community group, which has none. */
  creditCode: string | null;
  foundingType: string;
  grade: string;
  verificationStatus: string;
  regionsServed: Named[];
}

export const ORGANIZATION_SUMMARY = fragment(
  /* GraphQL */ `
    fragment OrganizationSummary on Organization {
      id
      name
      creditCode
      foundingType
      grade
      verificationStatus
      regionsServed {
        ...RegionName
      }
    }
  `,
  REGION_NAME,
);

/** An organization's details as its admins edit them and the hub's admins review them. */
export interface OrganizationDetails extends OrganizationSummary {
  /** A social organization's legal form; null for the other provider kinds. */
  kind: string | null;
  providerKind: string;
  gradeValidUntil: string | null;
  description: string;
  website: string | null;
  publicContact: string | null;
  homeRegion: Named;
  categories: Named[];
  brand: { name: string; description: string | null; since: string | null } | null;
}

export const ORGANIZATION_DETAILS = fragment(
  /* GraphQL */ `
    fragment OrganizationDetails on Organization {
      ...OrganizationSummary
      kind
      providerKind
      gradeValidUntil
      description
      website
      publicContact
      homeRegion {
        ...RegionName
      }
      categories {
        ...CategoryName
      }
      brand {
        name
        description
        since
      }
    }
  `,
  ORGANIZATION_SUMMARY,
  REGION_NAME,
  CATEGORY_NAME,
);

/** A project as a list row shows it. */
export interface ProjectCard {
  id: string;
  title: string;
  status: string;
  applicationClosesAt: string;
  budget: { amountFen: number };
  category: Named;
}

export const PROJECT_CARD = fragment(
  /* GraphQL */ `
    fragment ProjectCard on Project {
      id
      title
      status
      applicationClosesAt
      budget {
        amountFen
      }
      category {
        ...CategoryName
      }
    }
  `,
  CATEGORY_NAME,
);

export interface ProjectEligibility {
  verifiedOnly: boolean;
  minGrade: string;
  allowedFoundingTypes: string[];
  mustServeRegions: boolean;
}

/** A project's terms as an organization reads them before applying: what, where, for whom, who may apply. */
export interface ProjectTerms extends ProjectCard {
  description: string;
  procurementMethod: string;
  publisher: { id: string; name: string };
  regions: Named[];
  eligibility: ProjectEligibility;
}

export const PROJECT_TERMS = fragment(
  /* GraphQL */ `
    fragment ProjectTerms on Project {
      ...ProjectCard
      description
      procurementMethod
      publisher {
        id
        name
      }
      regions {
        ...RegionName
      }
      eligibility {
        verifiedOnly
        minGrade
        allowedFoundingTypes
        mustServeRegions
      }
    }
  `,
  PROJECT_CARD,
  REGION_NAME,
);

/** An application as both sides read it: the applicant's screens add the project, the publisher's the applicant. */
export interface ApplicationCard {
  id: string;
  status: string;
  proposal: string;
  createdAt: string;
  requested: { amountFen: number };
  awarded: { amountFen: number } | null;
}

export const APPLICATION_CARD = fragment(/* GraphQL */ `
  fragment ApplicationCard on ProjectApplication {
    id
    status
    proposal
    createdAt
    requested {
      amountFen
    }
    awarded {
      amountFen
    }
  }
`);
