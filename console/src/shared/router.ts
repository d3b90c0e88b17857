import { createContext, useContext, useSyncExternalStore } from 'react';

/**
 * Hash routing (`#/demands/new`): the hub serves one page at `/`, so paths after `#` never reach
 * the server and reloads keep the screen.
 */
export function currentPath(): string {
  const path = location.hash.replace(/^#/, '');
  return path.startsWith('/') ? path : '/';
}

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

/** The current path, re-rendering on navigation. */
export const useHashPath = (): string => useSyncExternalStore(subscribe, currentPath);

/** Goes to a path (`/demands/mine`); `replace` leaves no history entry. */
export function navigate(path: string, { replace = false } = {}): void {
  if (replace) location.replace(`#${path}`);
  else location.hash = path;
}

/** The href of a path, for `<a>` elements. */
export const hrefOf = (path: string): string => `#${path}`;

/**
 * Whether a path fits a route pattern (`/demands/:id`) and its parameters; the query string after
 * `?` is ignored here (read it with `searchParams`).
 */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const wanted = pattern.split('/');
  const actual = path.split('?')[0]!.split('/');
  if (wanted.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < wanted.length; i++) {
    const part = wanted[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(actual[i]!);
    else if (part !== actual[i]) return null;
  }
  return params;
}

/** The query string of the current path (`#/demands?status=OPEN`). */
export const searchParams = (path = currentPath()): URLSearchParams =>
  new URLSearchParams(path.includes('?') ? path.slice(path.indexOf('?') + 1) : '');

export const RouteParamsContext = createContext<Record<string, string>>({});

/** The parameters of the current route (`:id` → `params.id`). */
export const useRouteParams = (): Record<string, string> => useContext(RouteParamsContext);
