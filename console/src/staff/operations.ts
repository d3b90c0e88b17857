/** The GraphQL operations of the staff screens: demands in scope, projects, awards, fairness. */

/** Who the staff member acts for and where: the publisher and the region scope. */
export const STAFF_VIEWER = /* GraphQL */ `
  query StaffViewer {
    viewer {
      id
      roles
      regionScope {
        code
        name
        nameEn
        children {
          code
          name
          nameEn
        }
      }
      publisher {
        id
        name
        kind
      }
    }
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
  }
`;

export const STAFF_DEMANDS = /* GraphQL */ `
  query StaffDemands($filter: DemandFilter, $first: Int, $after: String) {
    demands(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          title
          status
          urgency
          peopleAffected
          endorsementCount
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
      }
    }
  }
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

export const PUBLISHER_PROJECTS = /* GraphQL */ `
  query PublisherProjects($filter: ProjectFilter, $after: String) {
    projects(filter: $filter, first: 50, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          title
          status
          budget {
            amountFen
          }
          applicationClosesAt
          linkedDemandCount
          category {
            code
            name
            nameEn
          }
        }
      }
    }
  }
`;

const PROJECT_FIELDS = /* GraphQL */ `
  fragment StaffProjectFields on Project {
    id
    title
    description
    status
    updatedAt
    statusReason
    procurementMethod
    budget {
      amountFen
    }
    applicationOpensAt
    applicationClosesAt
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
    publisher {
      id
      name
    }
    category {
      code
      name
      nameEn
    }
    regions {
      code
      name
      nameEn
      path {
        code
      }
    }
    eligibility {
      verifiedOnly
      minGrade
      allowedFoundingTypes
      mustServeRegions
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
    applications(first: 50) {
      totalCount
      edges {
        node {
          id
          status
          proposal
          createdAt
          requested {
            amountFen
          }
          awarded {
            amountFen
          }
          eligibility {
            eligible
            failedRules
          }
          organization {
            id
            name
            creditCode
            verificationStatus
            grade
            foundingType
            regionsServed {
              code
              name
              nameEn
            }
          }
        }
      }
    }
  }
`;

export const STAFF_PROJECT = /* GraphQL */ `
  query StaffProject($id: ID!) {
    project(id: $id) {
      ...StaffProjectFields
    }
  }
  ${PROJECT_FIELDS}
`;

export const UPDATE_PROJECT = /* GraphQL */ `
  mutation UpdateProject($input: UpdateProjectInput!) {
    updateProject(input: $input) {
      project {
        ...StaffProjectFields
      }
    }
  }
  ${PROJECT_FIELDS}
`;

export const PUBLISH_PROJECT = /* GraphQL */ `
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

export const AWARD_PROJECT = /* GraphQL */ `
  mutation AwardProject($input: AwardProjectInput!) {
    awardProject(input: $input) {
      project {
        ...StaffProjectFields
      }
    }
  }
  ${PROJECT_FIELDS}
`;

export const START_PROJECT = /* GraphQL */ `
  mutation StartProject($input: StartProjectInput!) {
    startProject(input: $input) {
      project {
        ...StaffProjectFields
      }
    }
  }
  ${PROJECT_FIELDS}
`;

export const COMPLETE_PROJECT = /* GraphQL */ `
  mutation CompleteProject($input: CompleteProjectInput!) {
    completeProject(input: $input) {
      project {
        ...StaffProjectFields
      }
    }
  }
  ${PROJECT_FIELDS}
`;

export const AWARD_FAIRNESS = /* GraphQL */ `
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
          amountFen
          yuan
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
          amountFen
          yuan
        }
        repeatWinners {
          organizationId
          organization {
            name
          }
          awards
          awarded {
            amountFen
            yuan
          }
        }
      }
    }
  }
`;
