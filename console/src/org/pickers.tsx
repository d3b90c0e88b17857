import { useEffect, useState } from 'react';
import { Select, TreeSelect } from 'antd';
import { useTranslation } from 'react-i18next';
import { request } from '../shared/api.js';
import { localName } from '../shared/format.js';
import { PICKER_CHOICES } from './operations.js';
import type { Named, NamedWithChildren } from '../shared/fragments.js';

/** What the category, region and target-group pickers offer. */
export interface PickerChoices {
  categories: NamedWithChildren[];
  targetGroups: Named[];
  /** The divisions around the organization: from its province down, each with its children. */
  regions: Named[];
}

const cache = new Map<string, Promise<PickerChoices>>();

/**
 * Loads the choices once per home region: the category tree, the target groups, and for regions the
 * organization's home region's path with every level's children (its province's cities, its city's
 * districts) — where a local organization serves.
 */
export function usePickerChoices(token: string, homeRegionCode: string | null): PickerChoices | null {
  const [choices, setChoices] = useState<PickerChoices | null>(null);
  useEffect(() => {
    if (!homeRegionCode) return;
    let current = true;
    let pending = cache.get(homeRegionCode);
    if (!pending) {
      pending = request<{
        serviceCategories: PickerChoices['categories'];
        targetGroups: Named[];
        region: { path: (Named & { children: Named[] })[] } | null;
      }>(PICKER_CHOICES, { homeRegionCode }, token).then((data) => {
        const regions = new Map<string, Named>();
        for (const level of data.region?.path ?? []) {
          regions.set(level.code, level);
          for (const child of level.children) regions.set(child.code, child);
        }
        return {
          categories: data.serviceCategories,
          targetGroups: data.targetGroups,
          regions: [...regions.values()].sort((a, b) => a.code.localeCompare(b.code)),
        };
      });
      pending.catch(() => cache.delete(homeRegionCode));
      cache.set(homeRegionCode, pending);
    }
    pending.then((c) => current && setChoices(c)).catch(() => undefined);
    return () => {
      current = false;
    };
  }, [token, homeRegionCode]);
  return choices;
}

/** Props antd's Form.Item passes to the control it wraps. */
interface ControlProps<T> {
  id?: string;
  value?: T;
  onChange?: (value: T) => void;
}

/** Service categories, as a tree (a category covers its subtree), several at once. */
export function CategoryPicker({
  choices,
  ...control
}: ControlProps<string[]> & { choices: PickerChoices | null }) {
  useTranslation(); // re-render on a language switch
  return (
    <TreeSelect
      {...control}
      multiple
      showSearch
      treeNodeFilterProp="title"
      treeDefaultExpandAll
      loading={!choices}
      treeData={(choices?.categories ?? []).map((c) => ({
        value: c.code,
        title: localName(c),
        children: c.children.map((child) => ({ value: child.code, title: localName(child) })),
      }))}
    />
  );
}

/** Regions around the organization, several at once; ones chosen earlier elsewhere stay listed. */
export function RegionPicker({
  choices,
  known = [],
  ...control
}: ControlProps<string[]> & { choices: PickerChoices | null; known?: Named[] }) {
  useTranslation(); // re-render on a language switch
  const all = new Map<string, Named>();
  for (const region of [...(choices?.regions ?? []), ...known]) all.set(region.code, region);
  return (
    <Select
      {...control}
      mode="multiple"
      showSearch={{ optionFilterProp: 'label' }}
      loading={!choices}
      options={[...all.values()].map((r) => ({ value: r.code, label: localName(r) }))}
    />
  );
}

/** Groups of workers, several at once. */
export function TargetGroupPicker({
  choices,
  ...control
}: ControlProps<string[]> & { choices: PickerChoices | null }) {
  useTranslation(); // re-render on a language switch
  return (
    <Select
      {...control}
      mode="multiple"
      showSearch={{ optionFilterProp: 'label' }}
      loading={!choices}
      options={(choices?.targetGroups ?? []).map((g) => ({ value: g.code, label: localName(g) }))}
    />
  );
}
