import { useEffect, useState } from 'react';
import { request } from '../shared/api.js';
import { useSignedIn } from '../shared/session-context.js';
import { STAFF_VIEWER } from './operations.js';
import type { NamedWithChildren } from '../shared/fragments.js';

export interface StaffViewer {
  id: string;
  roles: string[];
  regionScope: NamedWithChildren | null;
  publisher: { id: string; name: string; kind: string } | null;
}

export interface StaffContext {
  viewer: StaffViewer;
  categories: NamedWithChildren[];
}

/** Loads with `load` whenever `deps` change; `reload` loads again (after a mutation). */
export function useLoaded<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    load()
      .then((value) => {
        if (current) {
          setData(value);
          setError(null);
        }
      })
      .catch((e: unknown) => current && setError(e));
    return () => {
      current = false;
    };
    // The caller lists what `load` depends on, as with useEffect itself.
  }, [...deps, generation]);
  return { data, error, reload: () => setGeneration((n) => n + 1), setData };
}

/** The staff member's publisher, region scope and the category tree, loaded once per screen. */
export function useStaffContext() {
  const { token } = useSignedIn();
  return useLoaded(async () => {
    const data = await request<{ viewer: StaffViewer; serviceCategories: StaffContext['categories'] }>(
      STAFF_VIEWER,
      {},
      token,
    );
    return { viewer: data.viewer, categories: data.serviceCategories } satisfies StaffContext;
  }, [token]);
}

/** The path of a project's page in the staff area. */
export const projectPath = (id: string): string => `/staff/projects/${encodeURIComponent(id)}`;
