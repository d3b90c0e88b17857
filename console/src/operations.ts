/** The operations the console sends; the explorer sends whatever the user types. */
import { CATEGORY_NAME, DEMAND_CARD, REGION_NAME, fragment, graphql } from './shared/fragments.js';

const VIEWER_FIELDS = fragment(/* GraphQL */ `
  fragment SessionViewer on User {
    id
    displayName
    roles
    regionScope {
      code
      name
    }
  }
`);

export const SIGN_IN = graphql`
  mutation ConsoleSignIn($input: SignInInput!) {
    signIn(input: $input) {
      token
      expiresAt
      viewer {
        ...SessionViewer
      }
    }
  }
  ${VIEWER_FIELDS}
`;

export const SIGN_UP = graphql`
  mutation ConsoleSignUp($input: SignUpInput!) {
    signUp(input: $input) {
      token
      expiresAt
      viewer {
        ...SessionViewer
      }
    }
  }
  ${VIEWER_FIELDS}
`;

export const VIEWER = graphql`
  query ConsoleViewer {
    viewer {
      ...SessionViewer
    }
  }
  ${VIEWER_FIELDS}
`;

export const DEMAND_PUBLISHED = graphql`
  subscription ConsoleDemandPublished($after: String) {
    demandPublished(after: $after) {
      cursor
      demand {
        ...DemandCard
      }
    }
  }
  ${DEMAND_CARD}
`;

export const OPEN_DEMANDS = graphql`
  query ConsoleOpenDemands($organizationId: ID!) {
    demands(filter: { matchingOrganization: $organizationId, statuses: [OPEN] }, first: 20) {
      edges {
        node {
          ...DemandCard
        }
      }
    }
  }
  ${DEMAND_CARD}
`;

export const CLAIM_DEMAND = graphql`
  mutation ConsoleClaimDemand($input: ClaimDemandInput!) {
    claimDemand(input: $input) {
      demand {
        ...DemandCard
      }
    }
  }
  ${DEMAND_CARD}
`;

export const SUPPLY_DEMAND_GAP = graphql`
  query ConsoleSupplyDemandGap($regionCode: String) {
    supplyDemandGap(regionCode: $regionCode) {
      generatedAt
      suppressionThreshold
      region {
        ...RegionName
      }
      cells {
        region {
          ...RegionName
        }
        category {
          ...CategoryName
        }
        openDemands
        peopleAffected
        servingOrganizations
        monthlyCapacity
        gapScore
        suppressed
      }
    }
  }
  ${REGION_NAME}
  ${CATEGORY_NAME}
`;
