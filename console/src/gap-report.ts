/** One region × category cell of the supply–demand gap, as the console reads it. */
export interface GapCell {
  /** `nameEn` as the hub sends it; the console shows one name, in the user's language. */
  region: { code: string; name: string; nameEn?: string };
  category: { code: string; name: string; nameEn?: string };
  openDemands: number | null;
  peopleAffected: number | null;
  servingOrganizations: number;
  monthlyCapacity: number;
  gapScore: number | null;
  suppressed: boolean;
}

export interface GapReport {
  generatedAt: string;
  suppressionThreshold: number;
  region: { code: string; name: string; nameEn?: string } | null;
  cells: GapCell[];
}

/** Per child region: workers waiting against monthly capacity, summed over categories. */
export interface RegionTotals {
  code: string;
  name: string;
  people: number;
  capacity: number;
}

/** Sums the cells of each region (suppressed counts count as 0), in the report's region order. */
export function totalsByRegion(cells: GapCell[]): RegionTotals[] {
  const totals = new Map<string, RegionTotals>();
  for (const cell of cells) {
    const row = totals.get(cell.region.code) ?? {
      code: cell.region.code,
      name: cell.region.name,
      people: 0,
      capacity: 0,
    };
    row.people += cell.peopleAffected ?? 0;
    row.capacity += cell.monthlyCapacity;
    totals.set(cell.region.code, row);
  }
  return [...totals.values()];
}
