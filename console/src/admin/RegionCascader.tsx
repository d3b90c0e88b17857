import { useEffect, useState } from 'react';
import { Cascader } from 'antd';
import { request } from '../shared/api.js';
import { localName } from '../shared/format.js';
import { useSignedIn } from '../shared/session-context.js';
import type { RegionChoice } from '../shared/fragments.js';
import { REGIONS } from '../shared/operations.js';

interface RegionOption {
  value: string;
  label: string;
  isLeaf: boolean;
  children?: RegionOption[];
}

/**
 * Picks a division (province → city → district), loading each level when opened. Its value is the
 * chosen division's code; any level may be chosen.
 */
export function RegionCascader({
  id,
  value,
  onChange,
}: {
  id?: string;
  value?: string;
  onChange?: (code: string | undefined) => void;
}) {
  const { token } = useSignedIn();
  const [options, setOptions] = useState<RegionOption[]>([]);
  const [path, setPath] = useState<string[]>([]);
  const toOption = (region: RegionChoice): RegionOption => ({
    value: region.code,
    label: localName(region),
    isLeaf: region.level === 'DISTRICT',
  });

  useEffect(() => {
    let current = true;
    void request<{ regions: RegionChoice[] }>(REGIONS, {}, token).then(
      (data) => current && setOptions(data.regions.map(toOption)),
    );
    return () => {
      current = false;
    };
    // The top level is loaded once per token; names follow the language on the next load.
  }, [token]);

  useEffect(() => {
    if (!value) setPath([]);
  }, [value]);

  return (
    <Cascader
      id={id}
      options={options}
      value={path}
      changeOnSelect
      showSearch
      loadData={async (selected) => {
        const target = selected[selected.length - 1] as RegionOption;
        const data = await request<{ regions: RegionChoice[] }>(REGIONS, { parentCode: target.value }, token);
        target.children = data.regions.map(toOption);
        if (target.children.length === 0) target.isLeaf = true;
        setOptions([...options]);
      }}
      onChange={(codes) => {
        const next = (codes ?? []).map(String);
        setPath(next);
        onChange?.(next[next.length - 1]);
      }}
      style={{ width: 280 }}
    />
  );
}
