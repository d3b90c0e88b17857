import { createElement, lazy, type ComponentType, type ReactNode } from 'react';
import type { Session } from './session.js';

/**
 * A screen of the console. `path` may hold parameters (`/demands/:id`, read with `useRouteParams`);
 * `labelKey` is its name in the catalogue (navigation, page title); `visible` says who may open it
 * (null session: signed out); `phone` marks phone-first screens, laid out for a 360 px wide screen
 * (antd-mobile); `nav: false` keeps it out of the navigation (detail screens).
 */
export interface Route {
  path: string;
  labelKey: string;
  visible: (session: Session | null) => boolean;
  element: ReactNode;
  phone?: boolean;
  nav?: boolean;
}

/**
 * A screen loaded only when first shown: `lazyScreen(() => import('./screens.js'), 'MyDemands')`.
 * Each area keeps its screens in modules of its own, so the bundle splits by area and a worker's
 * phone never downloads the staff screens' antd components (or GraphiQL).
 */
export function lazyScreen<M extends Record<string, unknown>>(
  load: () => Promise<M>,
  name: keyof M & string,
): ReactNode {
  const Screen = lazy(async () => ({ default: (await load())[name] as ComponentType }));
  return createElement(Screen);
}

/** Who sees a route: anyone signed in / only when signed out. */
export const signedIn = (session: Session | null): boolean => session !== null;
export const signedOut = (session: Session | null): boolean => session === null;
