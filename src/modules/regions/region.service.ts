import type { EntityManager } from '@mikro-orm/postgresql';
import { ref } from '@mikro-orm/core';
import { requireViewer } from '../../core/auth.js';
import type { Actor } from '../../core/context.js';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { Role } from '../../core/roles.js';
import { levelOfCode, Region, type RegionLevel } from './region.entity.js';
import { parseRegionCsv, type RegionRow } from './region-csv.js';
import { recordAudit } from '../audit/audit.js';
import { announceReferenceChange, type ReferenceCache } from '../reference/reference-cache.js';

/** What an import did. */
type ImportResult = { created: number; updated: number };

/** Reads the region tree and imports divisions. */
export class RegionService {
  /** `reference`: the process's cache, reloaded before an import answers (read-your-writes). */
  constructor(private readonly reference?: ReferenceCache) {}

  /** Regions under `parentCode` (top level when null), optionally of one level, in code order. */
  list(
    em: EntityManager,
    parentCode: string | null | undefined,
    level: RegionLevel | null | undefined,
  ): Promise<Region[]> {
    return em.find(
      Region,
      { ...(parentCode !== undefined ? { parent: parentCode } : {}), ...(level ? { level } : {}) },
      { orderBy: { code: 'asc' } },
    );
  }

  get(em: EntityManager, code: string): Promise<Region | null> {
    return em.findOne(Region, { code });
  }

  async require(em: EntityManager, code: string, path: string): Promise<Region> {
    const region = await em.findOne(Region, { code });
    if (!region) throw BadUserInputError.field(path, `region ${code} does not exist`);
    return region;
  }

  /** Whether `code` lies in the subtree of `scopeCode` (a region covers itself and all below it). */
  async covers(em: EntityManager, scopeCode: string, code: string): Promise<boolean> {
    if (scopeCode === code) return true;
    const region = await em.findOne(Region, { code });
    if (!region) throw new NotFoundError('Region', code);
    return region.path.includes(scopeCode);
  }

  /** The `importRegions` mutation: platform admins only. */
  async importForActor(actor: Actor, csv: string): Promise<ImportResult> {
    const viewer = requireViewer(actor.viewer);
    if (!viewer.roles.has(Role.ADMIN)) throw new ForbiddenError('Only platform admins import regions.');
    const rows = parseRegionCsv(csv, 'input.csv');
    // The import and its audit entry commit together; the subject is the file's top-most region.
    return this.importAnnounced(actor.em, rows, 'input.csv', async (tx, result) => {
      const codes = new Set(rows.map((r) => r.code));
      const top = rows.find((r) => !r.parentCode || !codes.has(r.parentCode)) ?? rows[0];
      const subject = top ? await tx.findOne(Region, { code: top.code }) : null;
      if (subject) {
        recordAudit({ ...actor, em: tx }, 'importRegions', subject, { ...result, rows: rows.length });
        await tx.flush();
      }
    });
  }

  /**
   * Parses a divisions CSV and imports it in one transaction, for the mutation and the
   * `regions:import` CLI alike. Every bad row is reported (BAD_USER_INPUT, by line) and nothing is
   * written unless all rows are good.
   */
  async importCsv(em: EntityManager, csv: string, csvPath = 'input.csv'): Promise<ImportResult> {
    return this.importAnnounced(em, parseRegionCsv(csv, csvPath), csvPath);
  }

  /**
   * One transaction: the rows, then `alsoInTransaction` (the mutation's audit entry), then the
   * `reference.changed` announcement; after the commit, this process's reference cache reloads.
   */
  private async importAnnounced(
    em: EntityManager,
    rows: RegionRow[],
    csvPath: string,
    alsoInTransaction?: (tx: EntityManager, result: ImportResult) => Promise<void>,
  ): Promise<ImportResult> {
    const imported = await em.transactional(async (tx) => {
      const result = await this.importRows(tx, rows, csvPath);
      await alsoInTransaction?.(tx, result);
      await announceReferenceChange(tx);
      return result;
    });
    await this.reference?.reload();
    return imported;
  }

  /**
   * Inserts or updates divisions. Parents may come from the same file or already exist; paths are
   * recomputed for every imported row. An existing division keeps its parent (CONFLICT naming the
   * code): its descendants' stored paths, and every region path copied onto demands, organizations
   * and projects, would otherwise disagree with the tree, and union scopes would silently move. Its
   * names may still change. Runs in the caller's transaction.
   */
  async importRows(em: EntityManager, rows: RegionRow[], csvPath = 'input.csv'): Promise<ImportResult> {
    const byCode = new Map(rows.map((r) => [r.code, r]));
    const existing = new Map(
      (
        await em.find(Region, {
          code: { $in: [...new Set(rows.flatMap((r) => [r.code, r.parentCode ?? r.code]))] },
        })
      ).map((r) => [r.code, r]),
    );
    const pathOf = new Map<string, string[]>();
    const resolvePath = (code: string, trail: Set<string>): string[] => {
      const known = pathOf.get(code);
      if (known) return known;
      const row = byCode.get(code);
      if (!row) {
        const region = existing.get(code);
        if (!region)
          throw BadUserInputError.field(csvPath, `parent region ${code} is neither in the file nor known`);
        return region.path;
      }
      if (trail.has(code)) throw BadUserInputError.field(csvPath, `region ${code} is its own ancestor`);
      trail.add(code);
      const path = row.parentCode ? [...resolvePath(row.parentCode, trail), code] : [code];
      pathOf.set(code, path);
      return path;
    };
    for (const row of rows) {
      const current = existing.get(row.code);
      const parentCode = current ? (current.parent?.unwrap().code ?? null) : undefined;
      if (parentCode !== undefined && parentCode !== row.parentCode)
        throw new ConflictError(
          `Region ${row.code} belongs to ${parentCode ?? 'no parent'}; an import cannot move it to ${row.parentCode ?? 'the top level'}.`,
          { code: row.code, parentCode, requestedParentCode: row.parentCode },
        );
    }
    // Parents first: one flush per depth of the tree, so each depth's foreign keys find rows written
    // by an earlier flush. (A flush per row costs a round trip and a change-set pass over every
    // division loaded so far; every start of the hub imports Shandong's 154: docs/architecture.md, 4.)
    const ordered = rows
      .map((row) => ({ row, path: resolvePath(row.code, new Set()) }))
      .sort((a, b) => a.path.length - b.path.length);
    let created = 0;
    let updated = 0;
    for (const [i, { row, path }] of ordered.entries()) {
      // `existing` was read for every code of the file: a code it lacks is new (the file has it once).
      const current = existing.get(row.code);
      const data = {
        name: row.name,
        nameEn: row.nameEn,
        level: levelOfCode(row.code),
        parent: row.parentCode ? ref(em.getReference(Region, row.parentCode)) : null,
        path,
      };
      if (current) {
        em.assign(current, data);
        updated++;
      } else {
        em.persist(em.create(Region, { code: row.code, ...data }));
        created++;
      }
      if (ordered[i + 1]?.path.length !== path.length) await em.flush();
    }
    return { created, updated };
  }
}
