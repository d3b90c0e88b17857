/** Operations of the shared pieces: the header's notification bell, the region choosers. */
import { REGION_CHOICE, fragment, graphql } from './fragments.js';

const NOTIFICATION_FIELDS = fragment(/* GraphQL */ `
  fragment BellNotification on Notification {
    id
    title
    body
    topic
    subjectId
    read
    createdAt
  }
`);

export const UNREAD_NOTIFICATION_COUNT = /* GraphQL */ `
  query ConsoleUnreadNotificationCount {
    unreadNotificationCount
  }
`;

export const NOTIFICATIONS = graphql`
  query ConsoleNotifications($first: Int!) {
    unreadNotificationCount
    notifications(first: $first) {
      edges {
        node {
          ...BellNotification
        }
      }
    }
  }
  ${NOTIFICATION_FIELDS}
`;

export const MARK_NOTIFICATIONS_READ = /* GraphQL */ `
  mutation ConsoleMarkNotificationsRead($input: MarkNotificationsReadInput!) {
    markNotificationsRead(input: $input) {
      unreadCount
    }
  }
`;

export const NOTIFICATION_RECEIVED = graphql`
  subscription ConsoleNotificationReceived {
    notificationReceived {
      cursor
      notifications {
        ...BellNotification
      }
    }
  }
  ${NOTIFICATION_FIELDS}
`;

/** The divisions below `parentCode` (the provinces without it), one level of a region chooser. */
export const REGIONS = graphql`
  query ConsoleRegions($parentCode: String) {
    regions(parentCode: $parentCode) {
      ...RegionChoice
    }
  }
  ${REGION_CHOICE}
`;

export interface BellNotification {
  id: string;
  title: string;
  body: string;
  topic: string;
  subjectId: string;
  read: boolean;
  createdAt: string;
}
