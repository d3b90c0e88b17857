import { lazyScreen, type Route } from '../shared/route.js';
import { hasRole, type Session } from '../shared/session.js';

/** Union staff see the demands in their scope (the API shows them to no other staff); admins all. */
const seesDemands = (s: Session | null): boolean => s !== null && hasRole(s.viewer, 'UNION_STAFF', 'ADMIN');
/** Staff of a publisher (union, government, enterprise) buy services through projects. */
const buysServices = (s: Session | null): boolean =>
  s !== null && hasRole(s.viewer, 'UNION_STAFF', 'GOV_STAFF', 'ENTERPRISE_STAFF');
/** Union staff verify and suspend the organizations of their scope (admins reach these as admins). */
const overseesScope = (s: Session | null): boolean =>
  s !== null && hasRole(s.viewer, 'UNION_STAFF') && !hasRole(s.viewer, 'ADMIN');
const readsFairness = (s: Session | null): boolean =>
  s !== null && hasRole(s.viewer, 'UNION_STAFF', 'GOV_STAFF', 'ENTERPRISE_STAFF', 'ADMIN');

/**
 * The screens of union, government and enterprise staff (antd, desktop first): demands in scope,
 * projects, applications and awards, reports. Wrap each screen in `DesktopPage`.
 */
export const staffRoutes: Route[] = [
  {
    path: '/staff/demands',
    labelKey: 'staff.nav.demands',
    visible: seesDemands,
    element: lazyScreen(() => import('./screens.js'), 'StaffDemandsScreen'),
  },
  {
    path: '/staff/projects',
    labelKey: 'staff.nav.projects',
    visible: buysServices,
    element: lazyScreen(() => import('./screens.js'), 'StaffProjectsScreen'),
  },
  {
    path: '/staff/projects/:id',
    labelKey: 'staff.nav.projects',
    visible: buysServices,
    element: lazyScreen(() => import('./screens.js'), 'StaffProjectScreen'),
    nav: false,
  },
  {
    path: '/staff/fairness',
    labelKey: 'staff.nav.fairness',
    visible: readsFairness,
    element: lazyScreen(() => import('./screens.js'), 'FairnessScreen'),
  },
  {
    path: '/admin/verification',
    labelKey: 'admin.nav.queue',
    visible: overseesScope,
    element: lazyScreen(() => import('../admin/screens.js'), 'VerificationQueueScreen'),
  },
  {
    path: '/admin/organizations',
    labelKey: 'admin.nav.organizations',
    visible: overseesScope,
    element: lazyScreen(() => import('../admin/screens.js'), 'AdminOrganizationsScreen'),
  },
];
