/**
 * The operations the bot sends. GraphQL Code Generator reads them (the `GraphQL` comment marks them)
 * and writes their result and variable types to `generated/graphql.ts`, checked against the schema.
 */

export const SIGN_IN = /* GraphQL */ `
  mutation BotSignIn($input: SignInInput!) {
    signIn(input: $input) {
      token
      expiresAt
      viewer {
        id
        displayName
      }
    }
  }
`;

export const ORGANIZATION = /* GraphQL */ `
  query BotOrganization($creditCode: String!) {
    organization(creditCode: $creditCode) {
      id
      name
      verificationStatus
    }
  }
`;

export const DEMAND_PUBLISHED = /* GraphQL */ `
  subscription BotDemandPublished($after: String, $filter: DemandSubscriptionFilter) {
    demandPublished(after: $after, filter: $filter) {
      cursor
      demand {
        id
        title
        status
        urgency
        peopleAffected
        category {
          code
          name
        }
        region {
          code
          name
        }
      }
    }
  }
`;

export const CLAIM_DEMAND = /* GraphQL */ `
  mutation BotClaimDemand($input: ClaimDemandInput!) {
    claimDemand(input: $input) {
      demand {
        id
        status
        claimedAt
      }
    }
  }
`;
