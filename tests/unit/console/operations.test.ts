import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as adminOperations from '../../../console/src/admin/operations.js';
import * as boardOperations from '../../../console/src/operations.js';
import * as orgOperations from '../../../console/src/org/operations.js';
import * as sharedOperations from '../../../console/src/shared/operations.js';
import * as staffOperations from '../../../console/src/staff/operations.js';
import * as workerOperations from '../../../console/src/worker/operations.js';
import { fragment, graphql, REGION_NAME } from '../../../console/src/shared/fragments.js';

const schema = buildSchema(readFileSync(new URL('../../../schema/schema.graphql', import.meta.url), 'utf8'));

const modules = {
  admin: adminOperations,
  board: boardOperations,
  org: orgOperations,
  shared: sharedOperations,
  staff: staffOperations,
  worker: workerOperations,
};

const operations = Object.entries(modules).flatMap(([area, exported]) =>
  Object.entries(exported)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([name, text]) => [`${area}.${name}`, text] as const),
);

describe("the console's operations", () => {
  it('are all found', () => {
    expect(operations.length).toBeGreaterThan(60);
  });

  // Each operation, with the shared fragments composed in, must be a document the hub accepts: every
  // fragment it spreads defined once, none defined and left unused, every field in the schema.
  it.each(operations)('%s is valid against the published schema', (_name, text) => {
    expect(validate(schema, parse(text)).map((e) => e.message)).toEqual([]);
  });
});

describe('graphql', () => {
  it("appends each fragment's definition once, after those it spreads", () => {
    const card = fragment(
      /* GraphQL */ `
        fragment Card on Demand {
          region {
            ...RegionName
          }
        }
      `,
      REGION_NAME,
    );
    const text = graphql`
      query Q {
        demand(id: "x") {
          ...Card
          region {
            ...RegionName
          }
        }
      }
      ${card}
      ${REGION_NAME}
    `;
    expect(text.match(/fragment RegionName on/g)).toHaveLength(1);
    expect(text.indexOf('fragment RegionName')).toBeLessThan(text.indexOf('fragment Card'));
    expect(validate(schema, parse(text))).toEqual([]);
  });

  it('refuses two different fragments under one name', () => {
    const other = fragment(/* GraphQL */ `
      fragment RegionName on Region {
        code
      }
    `);
    expect(
      () => graphql`
        query Q {
          regions {
            ...RegionName
          }
        }
        ${REGION_NAME}
        ${other}
      `,
    ).toThrow(/two different GraphQL fragments are named RegionName/);
  });
});
