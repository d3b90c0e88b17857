/** The operations the console sends; the explorer sends whatever the user types. */

const VIEWER_FIELDS = /* GraphQL */ `
  fragment SessionViewer on User {
    id
    displayName
    roles
    regionScope {
      code
      name
    }
  }
`;

export const SIGN_IN = /* GraphQL */ `
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

export const SIGN_UP = /* GraphQL */ `
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

export const VIEWER = /* GraphQL */ `
  query ConsoleViewer {
    viewer {
      ...SessionViewer
    }
  }
  ${VIEWER_FIELDS}
`;

const DEMAND_FIELDS = /* GraphQL */ `
  fragment BoardDemand on Demand {
    id
    title
    status
    urgency
    endorsementCount
    peopleAffected
    createdAt
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
  }
`;

export const DEMAND_PUBLISHED = /* GraphQL */ `
  subscription ConsoleDemandPublished($after: String) {
    demandPublished(after: $after) {
      cursor
      demand {
        ...BoardDemand
      }
    }
  }
  ${DEMAND_FIELDS}
`;

export const OPEN_DEMANDS = /* GraphQL */ `
  query ConsoleOpenDemands($organizationId: ID!) {
    demands(filter: { matchingOrganization: $organizationId, statuses: [OPEN] }, first: 20) {
      edges {
        node {
          ...BoardDemand
        }
      }
    }
  }
  ${DEMAND_FIELDS}
`;

export const CLAIM_DEMAND = /* GraphQL */ `
  mutation ConsoleClaimDemand($input: ClaimDemandInput!) {
    claimDemand(input: $input) {
      demand {
        ...BoardDemand
      }
    }
  }
  ${DEMAND_FIELDS}
`;

export const SUPPLY_DEMAND_GAP = /* GraphQL */ `
  query ConsoleSupplyDemandGap($regionCode: String) {
    supplyDemandGap(regionCode: $regionCode) {
      generatedAt
      suppressionThreshold
      region {
        code
        name
        nameEn
      }
      cells {
        region {
          code
          name
          nameEn
        }
        category {
          code
          name
          nameEn
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
`;
