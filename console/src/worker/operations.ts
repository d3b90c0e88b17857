/** The operations of the worker's screens. */

/** A demand as the worker's lists show it: status, who serves it and what they reported. */
export const WORKER_DEMAND_FIELDS = /* GraphQL */ `
  fragment WorkerDemand on Demand {
    id
    title
    description
    status
    urgency
    peopleAffected
    endorsementCount
    anonymous
    createdAt
    rating
    ratingComment
    category {
      code
      name
      nameEn
    }
    region {
      code
      name
      nameEn
    }
    claimedBy {
      id
      name
    }
    progressNotes {
      kind
      note
      createdAt
      organization {
        id
        name
      }
    }
  }
`;

export const MY_DEMANDS = /* GraphQL */ `
  query WorkerMyDemands {
    viewer {
      id
      submittedDemands(first: 50) {
        edges {
          node {
            ...WorkerDemand
          }
        }
      }
    }
  }
  ${WORKER_DEMAND_FIELDS}
`;

export const ENDORSED_DEMANDS = /* GraphQL */ `
  query WorkerEndorsedDemands {
    viewer {
      id
      endorsedDemands(first: 50) {
        edges {
          node {
            ...WorkerDemand
          }
        }
      }
    }
  }
  ${WORKER_DEMAND_FIELDS}
`;

export const DEMAND_UPDATED = /* GraphQL */ `
  subscription WorkerDemandUpdated($demandId: ID!) {
    demandUpdated(demandId: $demandId) {
      cursor
      demand {
        ...WorkerDemand
      }
    }
  }
  ${WORKER_DEMAND_FIELDS}
`;

/** What the submission form offers: the category tree, target groups, and her latest demand's place. */
export const SUBMIT_CHOICES = /* GraphQL */ `
  query WorkerSubmitChoices {
    serviceCategories {
      code
      name
      nameEn
      children {
        code
        name
        nameEn
      }
    }
    targetGroups {
      code
      name
      nameEn
    }
    viewer {
      id
      submittedDemands(first: 1) {
        edges {
          node {
            id
            region {
              code
              path {
                code
                level
              }
            }
          }
        }
      }
      endorsedDemands(first: 100) {
        edges {
          node {
            id
          }
        }
      }
    }
  }
`;

export const REGIONS = /* GraphQL */ `
  query WorkerRegions($parentCode: String) {
    regions(parentCode: $parentCode) {
      code
      name
      nameEn
      level
    }
  }
`;

export const REGION = /* GraphQL */ `
  query WorkerRegion($code: String!) {
    region(code: $code) {
      code
      name
      nameEn
      level
      parent {
        code
      }
    }
  }
`;

/**
 * Other workers' open demands in the category and place she chose, similar to her title once typed:
 * endorse one rather than submit the same again.
 */
export const SIMILAR_OPEN_DEMANDS = /* GraphQL */ `
  query WorkerSimilarOpenDemands($categoryCode: String!, $regionCode: String!, $title: String) {
    similarOpenDemands(categoryCode: $categoryCode, regionCode: $regionCode, title: $title, first: 5) {
      id
      title
      endorsementCount
      peopleAffected
      createdAt
    }
  }
`;

export const SUBMIT_DEMAND = /* GraphQL */ `
  mutation WorkerSubmitDemand($input: SubmitDemandInput!) {
    submitDemand(input: $input) {
      demand {
        id
      }
    }
  }
`;

export const ENDORSE_DEMAND = /* GraphQL */ `
  mutation WorkerEndorseDemand($input: EndorseDemandInput!) {
    endorseDemand(input: $input) {
      demand {
        id
        endorsementCount
      }
    }
  }
`;

export const WITHDRAW_DEMAND = /* GraphQL */ `
  mutation WorkerWithdrawDemand($input: WithdrawDemandInput!) {
    withdrawDemand(input: $input) {
      demand {
        ...WorkerDemand
      }
    }
  }
  ${WORKER_DEMAND_FIELDS}
`;

export const RATE_DEMAND = /* GraphQL */ `
  mutation WorkerRateDemand($input: RateDemandInput!) {
    rateDemand(input: $input) {
      demand {
        ...WorkerDemand
      }
    }
  }
  ${WORKER_DEMAND_FIELDS}
`;

export interface Named {
  code: string;
  name: string;
  nameEn: string;
}

export interface WorkerDemand {
  id: string;
  title: string;
  description: string;
  status: string;
  urgency: string;
  peopleAffected: number;
  endorsementCount: number;
  anonymous: boolean;
  createdAt: string;
  rating: number | null;
  ratingComment: string | null;
  category: Named;
  region: Named;
  claimedBy: { id: string; name: string } | null;
  progressNotes: {
    kind: string;
    note: string;
    createdAt: string;
    organization: { id: string; name: string } | null;
  }[];
}

export interface SimilarDemand {
  id: string;
  title: string;
  endorsementCount: number;
  peopleAffected: number;
  createdAt: string;
}
