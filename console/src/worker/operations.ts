/** The operations of the worker's screens. */
import {
  CATEGORY_WITH_CHILDREN,
  DEMAND_CARD,
  REGION_CHOICE,
  TARGET_GROUP_NAME,
  fragment,
  graphql,
  type DemandCard,
} from '../shared/fragments.js';

/** A demand as the worker's lists show it: status, who serves it and what they reported. */
const WORKER_DEMAND_FIELDS = fragment(
  /* GraphQL */ `
    fragment WorkerDemand on Demand {
      ...DemandCard
      description
      anonymous
      rating
      ratingComment
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
  `,
  DEMAND_CARD,
);

export const MY_DEMANDS = graphql`
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

export const ENDORSED_DEMANDS = graphql`
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

export const DEMAND_UPDATED = graphql`
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
export const SUBMIT_CHOICES = graphql`
  query WorkerSubmitChoices {
    serviceCategories {
      ...CategoryWithChildren
    }
    targetGroups {
      ...TargetGroupName
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
  ${CATEGORY_WITH_CHILDREN}
  ${TARGET_GROUP_NAME}
`;

export const REGION = graphql`
  query WorkerRegion($code: String!) {
    region(code: $code) {
      ...RegionChoice
      parent {
        code
      }
    }
  }
  ${REGION_CHOICE}
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

export const WITHDRAW_DEMAND = graphql`
  mutation WorkerWithdrawDemand($input: WithdrawDemandInput!) {
    withdrawDemand(input: $input) {
      demand {
        ...WorkerDemand
      }
    }
  }
  ${WORKER_DEMAND_FIELDS}
`;

export const RATE_DEMAND = graphql`
  mutation WorkerRateDemand($input: RateDemandInput!) {
    rateDemand(input: $input) {
      demand {
        ...WorkerDemand
      }
    }
  }
  ${WORKER_DEMAND_FIELDS}
`;

export interface WorkerDemand extends DemandCard {
  description: string;
  anonymous: boolean;
  rating: number | null;
  ratingComment: string | null;
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
