import { adminRoutes } from './admin/routes.js';
import { orgRegisterRoute, orgRoutes } from './org/routes.js';
import { matchPath } from './shared/router.js';
import { lazyScreen, type Route } from './shared/route.js';
import { isOrgMember, isStaff, type Session } from './shared/session.js';
import { staffRoutes } from './staff/routes.js';
import { workerRoutes } from './worker/routes.js';

export type { Route } from './shared/route.js';

/** The organization's live board and the staff's gap report, kept from the first console. */
const boardAndGap: Route[] = [
  {
    path: '/board',
    labelKey: 'common.nav.board',
    visible: (s) => s !== null && isOrgMember(s.viewer),
    element: lazyScreen(() => import('./Board.js'), 'BoardScreen'),
  },
  {
    path: '/gap',
    labelKey: 'common.nav.gap',
    visible: (s) => s !== null && isStaff(s.viewer),
    element: lazyScreen(() => import('./Gap.js'), 'GapScreen'),
  },
];

/** GraphiQL, for developers: last in everyone's navigation. */
const explorer: Route = {
  path: '/explorer',
  labelKey: 'common.nav.explorer',
  visible: () => true,
  element: lazyScreen(() => import('./Explorer.js'), 'ExplorerScreen'),
};

/**
 * Every screen, in navigation order. The first visible one is where a session starts, so the most
 * specific roles come first: an organization's admin is a worker too, but starts on her
 * organization's live board, then its other screens. Registering a provider, open to anyone signed
 * in, comes after every area's own screens so that it is nobody's start.
 */
export const routes: Route[] = [
  ...adminRoutes,
  ...staffRoutes,
  ...boardAndGap,
  ...orgRoutes,
  ...workerRoutes,
  orgRegisterRoute,
  explorer,
];

/** The route a path opens for this session, with its parameters; null when none or not allowed. */
export function findRoute(
  path: string,
  session: Session | null,
  all: Route[] = routes,
): { route: Route; params: Record<string, string> } | null {
  for (const route of all) {
    const params = matchPath(route.path, path);
    if (params && route.visible(session)) return { route, params };
  }
  return null;
}

/** The screens in the navigation for this session. */
export const navigationFor = (session: Session | null, all: Route[] = routes): Route[] =>
  all.filter((r) => r.nav !== false && r.visible(session));

/** Where a session starts: the first screen of its navigation (sign-in when signed out). */
export const homePathFor = (session: Session | null, all: Route[] = routes): string =>
  navigationFor(session, all)[0]?.path ?? '/sign-in';
