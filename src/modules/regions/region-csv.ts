import { parse } from 'csv-parse/sync';
import { BadUserInputError, type FieldProblem } from '../../core/errors.js';

/** One row of a divisions CSV: `code,name,nameEn,parentCode`. */
export interface RegionRow {
  code: string;
  name: string;
  nameEn: string;
  parentCode: string | null;
}

const CODE = /^\d{6}$/;
const MAX_ROWS = 10_000;

/**
 * Parses and checks a divisions CSV (header `code,name,nameEn,parentCode`). Every bad row is reported
 * at once, with its line number, as BAD_USER_INPUT on `path`.
 */
export function parseRegionCsv(text: string, path = 'input.csv'): RegionRow[] {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<
      string,
      string
    >[];
  } catch (error) {
    throw BadUserInputError.field(path, `is not valid CSV: ${(error as Error).message}`);
  }
  if (records.length > MAX_ROWS) throw BadUserInputError.field(path, `has more than ${MAX_ROWS} rows`);
  const problems: FieldProblem[] = [];
  const rows: RegionRow[] = [];
  const seen = new Set<string>();
  records.forEach((record, index) => {
    const line = index + 2; // the header is line 1
    const code = record.code ?? '';
    const parentCode = record.parentCode || null;
    const name = record.name ?? '';
    const nameEn = record.nameEn ?? '';
    const bad = (message: string) => problems.push({ path: `${path}[line ${line}]`, message });
    if (!CODE.test(code)) bad(`code '${code}' is not a 6-digit GB/T 2260 code`);
    else if (seen.has(code)) bad(`code ${code} appears twice`);
    if (parentCode !== null && !CODE.test(parentCode))
      bad(`parentCode '${parentCode}' is not a 6-digit code`);
    if (parentCode === code) bad('a region cannot be its own parent');
    if (!name || name.length > 100) bad('name must be 1 to 100 characters');
    if (!nameEn || nameEn.length > 100) bad('nameEn must be 1 to 100 characters');
    seen.add(code);
    rows.push({ code, name, nameEn, parentCode });
  });
  if (problems.length) throw new BadUserInputError(problems.slice(0, 50));
  return rows;
}
