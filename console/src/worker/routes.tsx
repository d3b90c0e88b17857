import { lazyScreen, signedOut, type Route } from '../shared/route.js';
import { isWorker, type Session } from '../shared/session.js';

const worker = (session: Session | null): boolean => session !== null && isWorker(session.viewer);

/**
 * The worker's screens, phone first (antd-mobile), all in one chunk (`screens.tsx`, the one the
 * page-weight test measures); signing in and up is here too, for everyone.
 */
export const workerRoutes: Route[] = [
  {
    path: '/sign-in',
    labelKey: 'worker.nav.signIn',
    visible: signedOut,
    element: lazyScreen(() => import('./screens.js'), 'SignInScreen'),
    phone: true,
  },
  {
    path: '/demands/new',
    labelKey: 'worker.nav.submit',
    visible: worker,
    element: lazyScreen(() => import('./screens.js'), 'SubmitDemandScreen'),
    phone: true,
  },
  {
    path: '/demands/mine',
    labelKey: 'worker.nav.myDemands',
    visible: worker,
    element: lazyScreen(() => import('./screens.js'), 'MyDemandsScreen'),
    phone: true,
  },
  {
    path: '/demands/endorsed',
    labelKey: 'worker.nav.endorsed',
    visible: worker,
    element: lazyScreen(() => import('./screens.js'), 'EndorsedDemandsScreen'),
    phone: true,
  },
];
