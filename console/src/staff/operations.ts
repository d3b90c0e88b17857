/** The GraphQL operations of the staff screens: demands in scope, projects, awards, fairness. */
import {
  APPLICATION_CARD,
  CATEGORY_WITH_CHILDREN,
  DEMAND_CARD,
  ORGANIZATION_SUMMARY,
  PAGE_INFO,
  PROJECT_CARD,
  PROJECT_TERMS,
  REGION_WITH_CHILDREN,
  fragment,
  graphql,
} from '../shared/fragments.js';

/** Who the staff member acts for and where: the publisher and the region scope. */
export const STAFF_VIEWER = graphql`
  query StaffViewer {
    viewer {
      id
      roles
      regionScope {
        ...RegionWithChildren
      }
      publisher {
        id
        name
        kind
      }
    }
    serviceCategories {
      ...CategoryWithChildren
    }
  }
  ${REGION_WITH_CHILDREN}
  ${CATEGORY_WITH_CHILDREN}
`;

export const STAFF_DEMANDS = graphql`
  query StaffDemands($filter: DemandFilter, $first: Int, $after: String) {
    demands(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      edges {
        node {
          ...DemandCard
        }
      }
    }
  }
  ${PAGE_INFO}
  ${DEMAND_CARD}
`;

export const CREATE_PROJECT_FROM_DEMANDS = /* GraphQL */ `
  mutation CreateProjectFromDemands($input: CreateProjectFromDemandsInput!) {
    createProjectFromDemands(input: $input) {
      project {
        id
      }
    }
  }
`;

export const PUBLISHER_PROJECTS = graphql`
  query PublisherProjects($filter: ProjectFilter, $after: String) {
    projects(filter: $filter, first: 50, after: $after) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      edges {
        node {
          ...ProjectCard
          linkedDemandCount
        }
      }
    }
  }
  ${PAGE_INFO}
  ${PROJECT_CARD}
`;

const PROJECT_FIELDS = fragment(
  /* GraphQL */ `
    fragment StaffProjectFields on Project {
      ...ProjectTerms
      updatedAt
      statusReason
      applicationOpensAt
      isOpenForApplications
      publishedAt
      awardedAt
      startedAt
      closedAt
      outcome
      evaluationScore
      awardedTotal {
        amountFen
      }
      regions {
        path {
          code
        }
      }
      linkedDemandCount
      demandPeopleAffected
      linkedDemands {
        id
        title
        status
        peopleAffected
      }
      amendments {
        id
        createdAt
        rationale
        changes
      }
      fairnessFlags {
        kind
        rationale
        raisedAt
        organization {
          id
          name
        }
      }
      applications(first: 50) {
        totalCount
        edges {
          node {
            ...ApplicationCard
            eligibility {
              eligible
              failedRules
            }
            organization {
              ...OrganizationSummary
            }
          }
        }
      }
    }
  `,
  PROJECT_TERMS,
  APPLICATION_CARD,
  ORGANIZATION_SUMMARY,
);

export const STAFF_PROJECT = graphql`
  query StaffProject($id: ID!) {
    project(id: $id) {
      ...StaffProjectFields
    }
  }
  ${PROJECT_FIELDS}
`;

export const UPDATE_PROJECT = graphql`
  mutation UpdateProject($input: UpdateProjectInput!) {
    updateProject(input: $input) {
      project {
        ...StaffProjectFields
      }
    }
  }
  ${PROJECT_FIELDS}
`;

export const PUBLISH_PROJECT = graphql`
  mutation PublishProject($input: PublishProjectInput!) {
    publishProject(input: $input) {
      project {
        ...StaffProjectFields
      }
    }
  }
  ${PROJECT_FIELDS}
`;

export const SHORTLIST_APPLICATION = /* GraphQL */ `
  mutation ShortlistApplication($input: ShortlistApplicationInput!) {
    shortlistApplication(input: $input) {
      application {
        id
        status
      }
    }
  }
`;

export const AWARD_PROJECT = graphql`
  mutation AwardProject($input: AwardProjectInput!) {
    awardProject(input: $input) {
      project {
        ...StaffProjectFields
      }
    }
  }
  ${PROJECT_FIELDS}
`;

export const START_PROJECT = graphql`
  mutation StartProject($input: StartProjectInput!) {
    startProject(input: $input) {
      project {
        ...StaffProjectFields
      }
    }
  }
  ${PROJECT_FIELDS}
`;

export const COMPLETE_PROJECT = graphql`
  mutation CompleteProject($input: CompleteProjectInput!) {
    completeProject(input: $input) {
      project {
        ...StaffProjectFields
      }
    }
  }
  ${PROJECT_FIELDS}
`;

const FAIRNESS_MONEY = fragment(/* GraphQL */ `
  fragment FairnessMoney on MoneyTotal {
    amountFen
    yuan
  }
`);

export const AWARD_FAIRNESS = graphql`
  query AwardFairness($from: DateTime, $to: DateTime, $publisherId: ID, $regionCode: String) {
    awardFairness(from: $from, to: $to, publisherId: $publisherId, regionCode: $regionCode) {
      projects
      from
      to
      byFoundingType {
        foundingType
        eligibleOrganizations
        eligibleShare
        applicants
        applicantShare
        applications
        applicationShare
        awards
        awardShare
        awarded {
          ...FairnessMoney
        }
        moneyShare
        parityRatio
        winRate
      }
      publishers {
        publisher {
          id
          name
        }
        projects
        projectsWithApplications
        singleApplicantProjects
        singleApplicantRate
        herfindahlIndex
        awarded {
          ...FairnessMoney
        }
        repeatWinners {
          organizationId
          organization {
            name
          }
          awards
          awarded {
            ...FairnessMoney
          }
        }
      }
    }
  }
  ${FAIRNESS_MONEY}
`;
