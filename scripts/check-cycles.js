// `npm run lint:cycles`: fails on any import cycle in src/ (type-only imports included) except the
// few known module-internal ones below. core/ imports no module (src/core/context.ts declares what it
// needs), so no cycle may pass through it.
import madge from 'madge';

/** Known cycles inside one module, each with why it stays. A new cycle, or one through core/, fails. */
const KNOWN = new Map([
  [
    'modules/organizations/organization.entity.ts > modules/organizations/membership.entity.ts',
    'MikroORM relations in both directions: each entity names the other in its decorators',
  ],
  [
    'modules/organizations/organization.entity.ts > modules/organizations/service.entity.ts',
    'MikroORM relations in both directions: each entity names the other in its decorators',
  ],
  [
    'modules/demands/demand-feed.sql.ts > modules/demands/demand.policy.ts',
    "the feed's SQL applies the policy's `addServableBy`, which builds on the SQL helpers",
  ],
]);

const result = await madge('src', { fileExtensions: ['ts'] });
const cycles = result.circular().map((cycle) => cycle.join(' > '));
const unknown = cycles.filter((cycle) => !KNOWN.has(cycle) || cycle.includes('core/'));
for (const cycle of unknown) console.error(`import cycle: ${cycle}`);
const gone = [...KNOWN.keys()].filter((cycle) => !cycles.includes(cycle));
for (const cycle of gone)
  console.error(`no longer a cycle, remove it from scripts/check-cycles.js: ${cycle}`);
if (unknown.length > 0 || gone.length > 0) process.exit(1);
console.log(`no new import cycle (${cycles.length} known, inside modules)`);
