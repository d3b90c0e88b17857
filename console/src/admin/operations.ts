/** The GraphQL operations of the admin screens: verification, suspension, staff accounts, publishers. */

const ORGANIZATION_FIELDS = /* GraphQL */ `
  fragment AdminOrganizationFields on Organization {
    id
    name
    creditCode
    kind
    foundingType
    grade
    gradeValidUntil
    verificationStatus
    verification {
      status
      reason
      decidedAt
    }
    description
    website
    publicContact
    createdAt
    homeRegion {
      code
      name
      nameEn
    }
    brand {
      name
      description
      since
    }
    categories {
      code
      name
      nameEn
    }
    regionsServed {
      code
      name
      nameEn
    }
  }
`;

export const ADMIN_ORGANIZATIONS = /* GraphQL */ `
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

export const VERIFY_ORGANIZATION = /* GraphQL */ `
  mutation VerifyOrganization($input: VerifyOrganizationInput!) {
    verifyOrganization(input: $input) {
      organization {
        ...AdminOrganizationFields
      }
    }
  }
  ${ORGANIZATION_FIELDS}
`;

export const SUSPEND_ORGANIZATION = /* GraphQL */ `
  mutation SuspendOrganization($input: SuspendOrganizationInput!) {
    suspendOrganization(input: $input) {
      organization {
        ...AdminOrganizationFields
      }
    }
  }
  ${ORGANIZATION_FIELDS}
`;

export const REGIONS = /* GraphQL */ `
  query Regions($parentCode: String) {
    regions(parentCode: $parentCode) {
      code
      name
      nameEn
      level
    }
  }
`;

export const PUBLISHERS = /* GraphQL */ `
  query Publishers {
    publishers(first: 100) {
      edges {
        node {
          id
          name
          kind
          region {
            code
            name
            nameEn
          }
        }
      }
    }
  }
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

const ACCOUNT_FIELDS = /* GraphQL */ `
  fragment AdminAccountFields on User {
    id
    displayName
    email
    mobile
    roles
    status
    regionScope {
      code
      name
      nameEn
    }
    publisher {
      id
      name
    }
  }
`;

export const CREATE_STAFF_ACCOUNT = /* GraphQL */ `
  mutation CreateStaffAccount($input: CreateStaffAccountInput!) {
    createStaffAccount(input: $input) {
      user {
        ...AdminAccountFields
      }
    }
  }
  ${ACCOUNT_FIELDS}
`;

export const ADD_PUBLISHER_STAFF = /* GraphQL */ `
  mutation AddPublisherStaff($input: AddPublisherStaffInput!) {
    addPublisherStaff(input: $input) {
      user {
        ...AdminAccountFields
      }
    }
  }
  ${ACCOUNT_FIELDS}
`;

export const SET_ACCOUNT_STATUS = /* GraphQL */ `
  mutation SetAccountStatus($input: SetAccountStatusInput!) {
    setAccountStatus(input: $input) {
      user {
        ...AdminAccountFields
      }
    }
  }
  ${ACCOUNT_FIELDS}
`;

export const ADMIN_ACCOUNTS = /* GraphQL */ `
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

export const VERIFICATION_QUEUE = /* GraphQL */ `
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
