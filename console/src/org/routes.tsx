import type { Route } from '../shared/route.js';

/**
 * The screens of social organizations' members and admins (antd, desktop first): claims, profile,
 * services, members, projects and applications, webhooks. Wrap each screen in `DesktopPage`.
 */
export const orgRoutes: Route[] = [];
