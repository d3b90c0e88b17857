import { lazyScreen, type Route } from '../shared/route.js';
import { hasRole, isOrgMember, type Session } from '../shared/session.js';
import { signedIn } from '../shared/route.js';

/** Members and admins of an organization. */
const member = (session: Session | null): boolean => session !== null && isOrgMember(session.viewer);
/** Admins of an organization (of which one is chosen on the screen, which checks the role there). */
const orgAdmin = (session: Session | null): boolean =>
  session !== null && hasRole(session.viewer, 'ORG_ADMIN');

const screen = (name: keyof typeof import('./screens.js') & string) =>
  lazyScreen(() => import('./screens.js'), name);

/**
 * The screens of social organizations' members and admins (antd, desktop first): claims, profile,
 * services, members, hub, projects and applications, webhooks. A plain member sees them without
 * the admins' actions; webhooks are for admins only.
 */
export const orgRoutes: Route[] = [
  { path: '/org/claims', labelKey: 'org.nav.claims', visible: member, element: screen('ClaimsScreen') },
  { path: '/org/projects', labelKey: 'org.nav.projects', visible: member, element: screen('ProjectsScreen') },
  {
    path: '/org/applications',
    labelKey: 'org.nav.applications',
    visible: member,
    element: screen('ApplicationsScreen'),
  },
  { path: '/org/profile', labelKey: 'org.nav.profile', visible: member, element: screen('ProfileScreen') },
  { path: '/org/services', labelKey: 'org.nav.services', visible: member, element: screen('ServicesScreen') },
  { path: '/org/members', labelKey: 'org.nav.members', visible: member, element: screen('MembersScreen') },
  { path: '/org/hub', labelKey: 'org.nav.hub', visible: member, element: screen('HubScreen') },
  {
    path: '/org/webhooks',
    labelKey: 'org.nav.webhooks',
    visible: orgAdmin,
    element: screen('WebhooksScreen'),
  },
];

/**
 * Registering a provider, open to anyone signed in. Not among `orgRoutes`: the first visible screen
 * is where a session starts, and a worker (or staff) starts on her own screens, not on this form,
 * so it comes after every area's own screens in the navigation.
 */
export const orgRegisterRoute: Route = {
  path: '/org/register',
  labelKey: 'org.nav.register',
  visible: signedIn,
  element: screen('RegisterScreen'),
};
