import { lazyScreen, signedOut, type Route } from '../shared/route.js';

/** The worker's screens, phone first (antd-mobile); signing in and up is here too, for everyone. */
export const workerRoutes: Route[] = [
  {
    path: '/sign-in',
    labelKey: 'worker.nav.signIn',
    visible: signedOut,
    element: lazyScreen(() => import('./screens.js'), 'SignInScreen'),
    phone: true,
  },
];
