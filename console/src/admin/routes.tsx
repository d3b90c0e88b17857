import type { Route } from '../shared/route.js';

/**
 * The platform administrators' screens (antd, desktop first): verification queue, suspensions,
 * staff accounts and publishers. Wrap each screen in `DesktopPage`.
 */
export const adminRoutes: Route[] = [];
