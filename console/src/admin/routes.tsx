import { lazyScreen, type Route } from '../shared/route.js';
import { isAdmin, type Session } from '../shared/session.js';

const admins = (s: Session | null): boolean => s !== null && isAdmin(s.viewer);

/**
 * The platform administrators' screens (antd, desktop first): verification queue, suspensions,
 * staff accounts and publishers. Wrap each screen in `DesktopPage`. Union staff verify and suspend
 * the organizations of their scope with the first two, listed among their own screens (staff/routes.tsx).
 */
export const adminRoutes: Route[] = [
  {
    path: '/admin/verification',
    labelKey: 'admin.nav.queue',
    visible: admins,
    element: lazyScreen(() => import('./screens.js'), 'VerificationQueueScreen'),
  },
  {
    path: '/admin/organizations',
    labelKey: 'admin.nav.organizations',
    visible: admins,
    element: lazyScreen(() => import('./screens.js'), 'AdminOrganizationsScreen'),
  },
  {
    path: '/admin/accounts',
    labelKey: 'admin.nav.accounts',
    visible: admins,
    element: lazyScreen(() => import('./screens.js'), 'StaffAccountsScreen'),
  },
  {
    path: '/admin/publishers',
    labelKey: 'admin.nav.publishers',
    visible: admins,
    element: lazyScreen(() => import('./screens.js'), 'PublishersScreen'),
  },
];
