import type { Route } from '../shared/route.js';

/**
 * The screens of union, government and enterprise staff (antd, desktop first): demands in scope,
 * projects, applications and awards, reports. Wrap each screen in `DesktopPage`.
 */
export const staffRoutes: Route[] = [];
