import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest integration files: they start hub processes, clusters, browsers or whole PostgreSQL
 * servers (the ten longest of a run of 2026-12-03 without vitest's durations, in seconds under load:
 * backup-restore 144, org browser 119, process-workers 109, demand-feed 103, cli 94, process-newcomer
 * 78, admin browser 76, process-sigterm 75, process 73, staff browser 65).
 */
const LONGEST = [
  /\/tests\/integration\/core\/process[^/]*\.test\.ts$/,
  /\/tests\/integration\/console\/[^/]*\.browser\.test\.ts$/,
  /\/tests\/integration\/ops\/backup-restore\.test\.ts$/,
  /\/tests\/integration\/events\/demand-feed\.test\.ts$/,
  /\/tests\/integration\/accounts\/cli\.test\.ts$/,
];

/**
 * Vitest's order, except on a run without its record of each file's duration (kept in
 * node_modules/.vite, so absent after every `npm ci`): then it starts the larger files first, and
 * the process tests, small files of long waits, came last, leaving one core idle for their last
 * minute. Then the files in LONGEST go first within their project (docs/architecture.md, "Tests").
 */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const known = (spec: TestSpecification) =>
      this.ctx.cache.getFileTestResults(`${spec.project.name}:${path.relative(root, spec.moduleId)}`) !==
      undefined;
    if (sorted.every(known)) return sorted;
    const projects = [...new Set(sorted.map((spec) => spec.project.name))];
    const rank = (spec: TestSpecification) => (LONGEST.some((re) => re.test(spec.moduleId)) ? 0 : 1);
    return sorted
      .map((spec, index) => ({ spec, index }))
      .sort(
        (a, b) =>
          projects.indexOf(a.spec.project.name) - projects.indexOf(b.spec.project.name) ||
          rank(a.spec) - rank(b.spec) ||
          a.index - b.index,
      )
      .map(({ spec }) => spec);
  }
}
