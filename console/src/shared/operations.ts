/** Operations of the shared pieces (the header's notification bell). */

export const NOTIFICATION_FIELDS = /* GraphQL */ `
  fragment BellNotification on Notification {
    id
    title
    body
    topic
    subjectId
    read
    createdAt
  }
`;

export const UNREAD_NOTIFICATION_COUNT = /* GraphQL */ `
  query ConsoleUnreadNotificationCount {
    unreadNotificationCount
  }
`;

export const NOTIFICATIONS = /* GraphQL */ `
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

export const NOTIFICATION_RECEIVED = /* GraphQL */ `
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

export interface BellNotification {
  id: string;
  title: string;
  body: string;
  topic: string;
  subjectId: string;
  read: boolean;
  createdAt: string;
}
