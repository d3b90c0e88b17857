/** The GraphQL operations of the admin screens: verification, suspension, staff accounts, publishers. */
import { ORGANIZATION_DETAILS, REGION_NAME, fragment, graphql } from '../shared/fragments.js';

const ORGANIZATION_FIELDS = fragment(
  /* GraphQL */ `
    fragment AdminOrganizationFields on Organization {
      ...OrganizationDetails
      verification {
        status
        reason
        decidedAt
      }
      createdAt
    }
  `,
  ORGANIZATION_DETAILS,
);

export const ADMIN_ORGANIZATIONS = graphql`
  query AdminOrganizations($filter: OrganizationFilter, $orderBy: OrganizationOrder) {
    organizations(filter: $filter, orderBy: $orderBy, first: 50) {
      totalCount
      edges {
        node {
          ...AdminOrganizationFields
        }
      }
    }
  }
  ${ORGANIZATION_FIELDS}
`;

export const VERIFY_ORGANIZATION = graphql`
  mutation VerifyOrganization($input: VerifyOrganizationInput!) {
    verifyOrganization(input: $input) {
      organization {
        ...AdminOrganizationFields
      }
    }
  }
  ${ORGANIZATION_FIELDS}
`;

export const SUSPEND_ORGANIZATION = graphql`
  mutation SuspendOrganization($input: SuspendOrganizationInput!) {
    suspendOrganization(input: $input) {
      organization {
        ...AdminOrganizationFields
      }
    }
  }
  ${ORGANIZATION_FIELDS}
`;

export const PUBLISHERS = graphql`
  query Publishers {
    publishers(first: 100) {
      edges {
        node {
          id
          name
          kind
          region {
            ...RegionName
          }
        }
      }
    }
  }
  ${REGION_NAME}
`;

export const CREATE_PUBLISHER = /* GraphQL */ `
  mutation CreatePublisher($input: CreatePublisherInput!) {
    createPublisher(input: $input) {
      publisher {
        id
      }
    }
  }
`;

const ACCOUNT_FIELDS = fragment(
  /* GraphQL */ `
    fragment AdminAccountFields on User {
      id
      displayName
      email
      mobile
      roles
      status
      regionScope {
        ...RegionName
      }
      publisher {
        id
        name
      }
    }
  `,
  REGION_NAME,
);

export const CREATE_STAFF_ACCOUNT = graphql`
  mutation CreateStaffAccount($input: CreateStaffAccountInput!) {
    createStaffAccount(input: $input) {
      user {
        ...AdminAccountFields
      }
    }
  }
  ${ACCOUNT_FIELDS}
`;

export const ADD_PUBLISHER_STAFF = graphql`
  mutation AddPublisherStaff($input: AddPublisherStaffInput!) {
    addPublisherStaff(input: $input) {
      user {
        ...AdminAccountFields
      }
    }
  }
  ${ACCOUNT_FIELDS}
`;

export const SET_ACCOUNT_STATUS = graphql`
  mutation SetAccountStatus($input: SetAccountStatusInput!) {
    setAccountStatus(input: $input) {
      user {
        ...AdminAccountFields
      }
    }
  }
  ${ACCOUNT_FIELDS}
`;

export const ADMIN_ACCOUNTS = graphql`
  query AdminAccounts($first: Int, $after: String, $filter: AccountFilter) {
    accounts(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...AdminAccountFields
          createdAt
        }
      }
    }
  }
  ${ACCOUNT_FIELDS}
`;

export const VERIFICATION_QUEUE = graphql`
  query VerificationQueue {
    organizations(filter: { verificationStatus: PENDING }, orderBy: NEWEST, first: 50) {
      totalCount
      edges {
        node {
          ...AdminOrganizationFields
          creditCodeCheck {
            checksumValid
            authorityCode
            civilAffairs
            kind
            registrationRegionCode
            problem
            checkedAt
          }
          documents {
            id
            kind
            fileName
            contentType
            sizeBytes
            createdAt
            downloadPath
          }
        }
      }
    }
  }
  ${ORGANIZATION_FIELDS}
`;
