/** The operations of the organization member's and admin's screens. */

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

const CLAIMED_DEMAND_FIELDS = /* GraphQL */ `
  fragment OrgClaimedDemand on Demand {
    id
    title
    description
    status
    urgency
    peopleAffected
    createdAt
    claimedAt
    lastProgressAt
    contact
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
    progressNotes {
      kind
      note
      createdAt
    }
  }
`;

export const CLAIMED_DEMANDS = /* GraphQL */ `
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

export const REPORT_DEMAND_PROGRESS = /* GraphQL */ `
  mutation OrgReportDemandProgress($input: ReportDemandProgressInput!) {
    reportDemandProgress(input: $input) {
      demand {
        ...OrgClaimedDemand
      }
    }
  }
  ${CLAIMED_DEMAND_FIELDS}
`;

export const FULFIL_DEMAND = /* GraphQL */ `
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

const PROFILE_FIELDS = /* GraphQL */ `
  fragment OrgProfile on Organization {
    id
    name
    creditCode
    kind
    foundingType
    description
    publicContact
    website
    grade
    gradeValidUntil
    verificationStatus
    isHub
    rating
    ratingCount
    homeRegion {
      code
      name
      nameEn
    }
    regionsServed {
      code
      name
      nameEn
    }
    categories {
      code
      name
      nameEn
    }
    targetGroups
    brand {
      name
      description
      since
    }
    hub {
      id
      name
    }
  }
`;

export const ORGANIZATION_PROFILE = /* GraphQL */ `
  query OrgProfile($organizationId: ID!) {
    organization(id: $organizationId) {
      ...OrgProfile
    }
  }
  ${PROFILE_FIELDS}
`;

export const UPDATE_ORGANIZATION = /* GraphQL */ `
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
export const PICKER_CHOICES = /* GraphQL */ `
  query OrgPickerChoices($homeRegionCode: String!) {
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
    region(code: $homeRegionCode) {
      path {
        code
        name
        nameEn
        children {
          code
          name
          nameEn
        }
      }
    }
  }
`;

const SERVICE_FIELDS = /* GraphQL */ `
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
      code
      name
      nameEn
    }
    regions {
      code
      name
      nameEn
    }
  }
`;

export const ORGANIZATION_SERVICES = /* GraphQL */ `
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

export const ADD_SERVICE = /* GraphQL */ `
  mutation OrgAddService($input: AddServiceInput!) {
    addService(input: $input) {
      service {
        ...OrgService
      }
    }
  }
  ${SERVICE_FIELDS}
`;

export const UPDATE_SERVICE = /* GraphQL */ `
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

export const HUBS = /* GraphQL */ `
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
            name
            nameEn
          }
        }
      }
    }
  }
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

export const OPEN_PROJECTS = /* GraphQL */ `
  query OrgOpenProjects {
    projects(filter: { openForApplications: true }, orderBy: CLOSING_SOON, first: 50) {
      edges {
        node {
          id
          title
          description
          procurementMethod
          applicationClosesAt
          budget {
            amountFen
          }
          category {
            name
            nameEn
          }
          regions {
            name
            nameEn
          }
          publisher {
            name
          }
          eligibility {
            minGrade
            allowedFoundingTypes
            mustServeRegions
            verifiedOnly
          }
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

const APPLICATION_FIELDS = /* GraphQL */ `
  fragment OrgApplication on ProjectApplication {
    id
    status
    createdAt
    updatedAt
    proposal
    requested {
      amountFen
    }
    awarded {
      amountFen
    }
    project {
      id
      title
      publisher {
        name
      }
    }
  }
`;

export const ORGANIZATION_APPLICATIONS = /* GraphQL */ `
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

export const APPLICATION_DECIDED = /* GraphQL */ `
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

export const WITHDRAW_APPLICATION = /* GraphQL */ `
  mutation OrgWithdrawApplication($input: WithdrawApplicationInput!) {
    withdrawApplication(input: $input) {
      application {
        ...OrgApplication
      }
    }
  }
  ${APPLICATION_FIELDS}
`;

const WEBHOOK_FIELDS = /* GraphQL */ `
  fragment OrgWebhook on Webhook {
    id
    url
    topics
    enabled
    consecutiveFailures
    disabledReason
    createdAt
  }
`;

export const WEBHOOKS = /* GraphQL */ `
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

export const REGISTER_WEBHOOK = /* GraphQL */ `
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

export const ENABLE_WEBHOOK = /* GraphQL */ `
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

export const REMOVE_ORGANIZATION_DOCUMENT = /* GraphQL */ `
  mutation RemoveOrganizationDocument($input: RemoveOrganizationDocumentInput!) {
    removeOrganizationDocument(input: $input) {
      documentId
    }
  }
`;
