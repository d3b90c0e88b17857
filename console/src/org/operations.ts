/** The operations of the organization member's and admin's screens. */
import {
  APPLICATION_CARD,
  CATEGORY_NAME,
  CATEGORY_WITH_CHILDREN,
  DEMAND_CARD,
  ORGANIZATION_DETAILS,
  PROJECT_TERMS,
  REGION_NAME,
  REGION_WITH_CHILDREN,
  TARGET_GROUP_NAME,
  fragment,
  graphql,
} from '../shared/fragments.js';

/** The viewer's organizations and her role in each: which organization the screens act for. */
export const MY_MEMBERSHIPS = /* GraphQL */ `
  query OrgMyMemberships {
    viewer {
      id
      memberships {
        role
        organization {
          id
          name
          verificationStatus
        }
      }
    }
  }
`;

const CLAIMED_DEMAND_FIELDS = fragment(
  /* GraphQL */ `
    fragment OrgClaimedDemand on Demand {
      ...DemandCard
      description
      claimedAt
      lastProgressAt
      contact
      progressNotes {
        kind
        note
        createdAt
      }
    }
  `,
  DEMAND_CARD,
);

export const CLAIMED_DEMANDS = graphql`
  query OrgClaimedDemands($organizationId: ID!, $status: DemandStatus) {
    organization(id: $organizationId) {
      id
      claimedDemands(first: 50, status: $status) {
        totalCount
        edges {
          node {
            ...OrgClaimedDemand
          }
        }
      }
    }
  }
  ${CLAIMED_DEMAND_FIELDS}
`;

export const REPORT_DEMAND_PROGRESS = graphql`
  mutation OrgReportDemandProgress($input: ReportDemandProgressInput!) {
    reportDemandProgress(input: $input) {
      demand {
        ...OrgClaimedDemand
      }
    }
  }
  ${CLAIMED_DEMAND_FIELDS}
`;

export const FULFIL_DEMAND = graphql`
  mutation OrgFulfilDemand($input: FulfilDemandInput!) {
    fulfilDemand(input: $input) {
      demand {
        ...OrgClaimedDemand
      }
    }
  }
  ${CLAIMED_DEMAND_FIELDS}
`;

export const RELEASE_DEMAND = /* GraphQL */ `
  mutation OrgReleaseDemand($input: ReleaseDemandInput!) {
    releaseDemand(input: $input) {
      demand {
        id
        status
      }
    }
  }
`;

const PROFILE_FIELDS = fragment(
  /* GraphQL */ `
    fragment OrgProfile on Organization {
      ...OrganizationDetails
      isHub
      rating
      ratingCount
      targetGroups
      hub {
        id
        name
      }
    }
  `,
  ORGANIZATION_DETAILS,
);

export const ORGANIZATION_PROFILE = graphql`
  query OrgProfile($organizationId: ID!) {
    organization(id: $organizationId) {
      ...OrgProfile
    }
  }
  ${PROFILE_FIELDS}
`;

export const UPDATE_ORGANIZATION = graphql`
  mutation OrgUpdateOrganization($input: UpdateOrganizationInput!) {
    updateOrganization(input: $input) {
      organization {
        ...OrgProfile
      }
    }
  }
  ${PROFILE_FIELDS}
`;

/** What the pickers offer: the category tree, the target groups and the regions around the organization. */
export const PICKER_CHOICES = graphql`
  query OrgPickerChoices($homeRegionCode: String!) {
    serviceCategories {
      ...CategoryWithChildren
    }
    targetGroups {
      ...TargetGroupName
    }
    region(code: $homeRegionCode) {
      path {
        ...RegionWithChildren
      }
    }
  }
  ${CATEGORY_WITH_CHILDREN}
  ${TARGET_GROUP_NAME}
  ${REGION_WITH_CHILDREN}
`;

const SERVICE_FIELDS = fragment(
  /* GraphQL */ `
    fragment OrgService on Service {
      id
      name
      description
      status
      mode
      fee
      monthlyCapacity
      targetGroups
      categories {
        ...CategoryName
      }
      regions {
        ...RegionName
      }
    }
  `,
  CATEGORY_NAME,
  REGION_NAME,
);

export const ORGANIZATION_SERVICES = graphql`
  query OrgServices($organizationId: ID!) {
    organization(id: $organizationId) {
      id
      homeRegion {
        code
      }
      services {
        ...OrgService
      }
    }
  }
  ${SERVICE_FIELDS}
`;

export const ADD_SERVICE = graphql`
  mutation OrgAddService($input: AddServiceInput!) {
    addService(input: $input) {
      service {
        ...OrgService
      }
    }
  }
  ${SERVICE_FIELDS}
`;

export const UPDATE_SERVICE = graphql`
  mutation OrgUpdateService($input: UpdateServiceInput!) {
    updateService(input: $input) {
      service {
        ...OrgService
      }
    }
  }
  ${SERVICE_FIELDS}
`;

export const REMOVE_SERVICE = /* GraphQL */ `
  mutation OrgRemoveService($input: RemoveServiceInput!) {
    removeService(input: $input) {
      removedServiceId
    }
  }
`;

export const ORGANIZATION_MEMBERS = /* GraphQL */ `
  query OrgMembers($organizationId: ID!) {
    organization(id: $organizationId) {
      id
      members {
        role
        createdAt
        user {
          id
          displayName
        }
      }
    }
  }
`;

export const ADD_MEMBER = /* GraphQL */ `
  mutation OrgAddMember($input: AddOrganizationMemberInput!) {
    addOrganizationMember(input: $input) {
      member {
        role
      }
    }
  }
`;

export const SET_MEMBER_ROLE = /* GraphQL */ `
  mutation OrgSetMemberRole($input: SetOrganizationMemberRoleInput!) {
    setOrganizationMemberRole(input: $input) {
      member {
        role
      }
    }
  }
`;

export const REMOVE_MEMBER = /* GraphQL */ `
  mutation OrgRemoveMember($input: RemoveOrganizationMemberInput!) {
    removeOrganizationMember(input: $input) {
      removedUserId
    }
  }
`;

export const HUBS = graphql`
  query OrgHubs($organizationId: ID!) {
    organization(id: $organizationId) {
      id
      isHub
      hub {
        id
        name
      }
    }
    organizations(filter: { isHub: true, verificationStatus: VERIFIED }, first: 50) {
      edges {
        node {
          id
          name
          homeRegion {
            ...RegionName
          }
        }
      }
    }
  }
  ${REGION_NAME}
`;

export const REQUEST_HUB_MEMBERSHIP = /* GraphQL */ `
  mutation OrgRequestHubMembership($input: RequestHubMembershipInput!) {
    requestHubMembership(input: $input) {
      request {
        id
        status
        createdAt
        reason
        hub {
          id
          name
        }
      }
    }
  }
`;

export const APPLY_TO_PROJECT = /* GraphQL */ `
  mutation OrgApplyToProject($input: ApplyToProjectInput!) {
    applyToProject(input: $input) {
      application {
        id
        status
      }
    }
  }
`;

const APPLICATION_FIELDS = fragment(
  /* GraphQL */ `
    fragment OrgApplication on ProjectApplication {
      ...ApplicationCard
      updatedAt
      project {
        id
        title
        publisher {
          name
        }
      }
    }
  `,
  APPLICATION_CARD,
);

export const ORGANIZATION_APPLICATIONS = graphql`
  query OrgApplications($organizationId: ID!) {
    organization(id: $organizationId) {
      id
      applications(first: 50) {
        totalCount
        edges {
          node {
            ...OrgApplication
          }
        }
      }
    }
  }
  ${APPLICATION_FIELDS}
`;

export const APPLICATION_DECIDED = graphql`
  subscription OrgApplicationDecided($organizationId: ID!) {
    applicationDecided(organizationId: $organizationId) {
      cursor
      application {
        ...OrgApplication
      }
    }
  }
  ${APPLICATION_FIELDS}
`;

export const WITHDRAW_APPLICATION = graphql`
  mutation OrgWithdrawApplication($input: WithdrawApplicationInput!) {
    withdrawApplication(input: $input) {
      application {
        ...OrgApplication
      }
    }
  }
  ${APPLICATION_FIELDS}
`;

const WEBHOOK_FIELDS = fragment(/* GraphQL */ `
  fragment OrgWebhook on Webhook {
    id
    url
    topics
    enabled
    consecutiveFailures
    disabledReason
    createdAt
  }
`);

export const WEBHOOKS = graphql`
  query OrgWebhooks($organizationId: ID!) {
    webhooks(organizationId: $organizationId) {
      ...OrgWebhook
    }
  }
  ${WEBHOOK_FIELDS}
`;

export const WEBHOOK_DELIVERIES = /* GraphQL */ `
  query OrgWebhookDeliveries($webhookId: ID!) {
    webhookDeliveries(webhookId: $webhookId, first: 20) {
      eventSeq
      status
      attempts
      lastStatusCode
      lastError
      createdAt
      deliveredAt
    }
  }
`;

export const REGISTER_WEBHOOK = graphql`
  mutation OrgRegisterWebhook($input: RegisterWebhookInput!) {
    registerWebhook(input: $input) {
      secret
      webhook {
        ...OrgWebhook
      }
    }
  }
  ${WEBHOOK_FIELDS}
`;

export const DELETE_WEBHOOK = /* GraphQL */ `
  mutation OrgDeleteWebhook($id: ID!) {
    deleteWebhook(id: $id) {
      deletedWebhookId
    }
  }
`;

export const ENABLE_WEBHOOK = graphql`
  mutation OrgEnableWebhook($id: ID!) {
    enableWebhook(id: $id) {
      ...OrgWebhook
    }
  }
  ${WEBHOOK_FIELDS}
`;

export const PING_WEBHOOK = /* GraphQL */ `
  mutation OrgPingWebhook($id: ID!) {
    pingWebhook(id: $id) {
      delivered
      statusCode
      error
      durationMs
    }
  }
`;

/**
 * Projects accepting applications now, each with the organization's verdict (the rule it fails, as
 * `applyToProject` would name it); with `eligibleFor`, only those it may apply to.
 */
export const PROJECTS_FOR_ORGANIZATION = graphql`
  query OrgProjectsForOrganization($organizationId: ID!, $eligibleFor: ID) {
    projects(
      filter: { openForApplications: true, eligibleFor: $eligibleFor }
      orderBy: CLOSING_SOON
      first: 50
    ) {
      edges {
        node {
          ...ProjectTerms
          eligibilityFor(organizationId: $organizationId) {
            eligible
            reason
          }
        }
      }
    }
  }
  ${PROJECT_TERMS}
`;

/** For a hub's admins: the requests other organizations sent to join it, in one status or all. */
export const HUB_MEMBERSHIP_REQUESTS = /* GraphQL */ `
  query OrgHubMembershipRequests($organizationId: ID!, $status: HubMembershipStatus) {
    organization(id: $organizationId) {
      id
      hubMembershipRequests(status: $status, first: 50) {
        edges {
          node {
            id
            status
            createdAt
            reason
            organization {
              id
              name
            }
          }
        }
      }
    }
  }
`;

export const ORGANIZATION_DOCUMENTS = /* GraphQL */ `
  query OrgDocuments($organizationId: ID!) {
    organization(id: $organizationId) {
      id
      documents {
        id
        kind
        fileName
        sizeBytes
        createdAt
        downloadPath
      }
    }
  }
`;

export const DECIDE_HUB_MEMBERSHIP = /* GraphQL */ `
  mutation OrgDecideHubMembership($input: DecideHubMembershipInput!) {
    decideHubMembership(input: $input) {
      request {
        id
        status
      }
    }
  }
`;

export const REMOVE_ORGANIZATION_DOCUMENT = /* GraphQL */ `
  mutation RemoveOrganizationDocument($input: RemoveOrganizationDocumentInput!) {
    removeOrganizationDocument(input: $input) {
      documentId
    }
  }
`;

/** Registers an organization of any provider kind; its registrant becomes its admin. */
export const REGISTER_ORGANIZATION = /* GraphQL */ `
  mutation OrgRegisterOrganization($input: RegisterOrganizationInput!) {
    registerOrganization(input: $input) {
      organization {
        id
        name
        providerKind
      }
    }
  }
`;

/** The verified hubs a community group may name as its sponsor (the directory shows verified ones). */
export const SPONSOR_HUBS = /* GraphQL */ `
  query OrgSponsorHubs {
    organizations(filter: { isHub: true, verificationStatus: VERIFIED }, first: 100) {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`;

/** The community groups a hub sponsors (for its admins). */
export const SPONSORED_GROUPS = /* GraphQL */ `
  query OrgSponsoredGroups($id: ID!) {
    organization(id: $id) {
      id
      sponsoredGroups {
        id
        name
        verification {
          status
        }
      }
    }
  }
`;

/** The sponsor hub's admin verifies or declines a community group. */
export const DECIDE_SPONSORED_GROUP = /* GraphQL */ `
  mutation OrgDecideSponsoredGroup($input: DecideSponsoredGroupInput!) {
    decideSponsoredGroup(input: $input) {
      organization {
        id
        verification {
          status
        }
      }
    }
  }
`;
