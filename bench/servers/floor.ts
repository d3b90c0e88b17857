/**
 * The floor: the least a GraphQL server over these tables can do. Apollo Server 5 on node:http,
 * a hand-written SDL, hand-written SQL through `pg`, per-request DataLoaders; no auth, no ORM, no
 * validation beyond GraphQL's. `OUTBOX=1` makes submitDemand also write the event row + NOTIFY in
 * its transaction (as Niudai does), so the two runs price the outbox. Prints `listening <url>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import DataLoader from 'dataloader';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const outbox = process.env.OUTBOX === '1';

const typeDefs = /* GraphQL */ `
  type Category {
    code: String!
    name: String!
  }
  type Region {
    code: String!
    name: String!
    parent: Region
  }
  type Demand {
    id: ID!
    title: String!
    urgency: String!
    peopleAffected: Int!
    createdAt: String!
    category: Category!
    region: Region!
  }
  type Organization {
    id: ID!
    name: String!
    creditCode: String!
    description: String!
    foundingType: String!
    verificationStatus: String!
    homeRegion: Region!
  }
  type Query {
    demands(first: Int!, status: String!): [Demand!]!
    organization(id: ID!): Organization
  }
  input SubmitDemandInput {
    title: String!
    description: String!
    categoryCode: String!
    regionCode: String!
  }
  type Mutation {
    submitDemand(input: SubmitDemandInput!): Demand!
  }
`;

interface Row {
  [column: string]: unknown;
}
interface Loaders {
  category: DataLoader<string, Row | null>;
  region: DataLoader<string, Row | null>;
}

function byKey(table: string, key: string) {
  return new DataLoader<string, Row | null>(async (keys) => {
    const { rows } = await pool.query<Row>(`select * from ${table} where ${key} = any($1)`, [keys]);
    const map = new Map(rows.map((r) => [String(r[key]), r]));
    return keys.map((k) => map.get(k) ?? null);
  });
}

const demandFields = {
  id: (d: Row) => d.id,
  urgency: (d: Row) => d.urgency,
  peopleAffected: (d: Row) => d.people_affected,
  createdAt: (d: Row) => (d.created_at as Date).toISOString(),
  category: (d: Row, _: unknown, ctx: Loaders) => ctx.category.load(d.category_code as string),
  region: (d: Row, _: unknown, ctx: Loaders) => ctx.region.load(d.region_code as string),
};

const resolvers = {
  Query: {
    demands: async (_: unknown, args: { first: number; status: string }) =>
      (
        await pool.query<Row>(
          'select * from demand where status = $1 order by created_at desc, id desc limit $2',
          [args.status, Math.min(args.first, 100)],
        )
      ).rows,
    organization: async (_: unknown, args: { id: string }) =>
      (await pool.query<Row>('select * from organization where id = $1', [args.id])).rows[0] ?? null,
  },
  Mutation: {
    submitDemand: async (
      _: unknown,
      { input }: { input: { title: string; description: string; categoryCode: string; regionCode: string } },
      ctx: Loaders,
    ) => {
      const [category, region] = await Promise.all([
        ctx.category.load(input.categoryCode),
        ctx.region.load(input.regionCode),
      ]);
      if (!category || !region) throw new Error('unknown category or region');
      const client = await pool.connect();
      try {
        await client.query('begin');
        const { rows } = await client.query<Row>(
          `insert into demand (title, description, category_code, category_path, region_code, region_path,
              target_groups, people_affected, source, submitted_by_id, expires_at)
           values ($1, $2, $3, $4, $5, $6, '{}', 1, 'WORKER',
              (select id from app_user order by id limit 1), now() + interval '60 days')
           returning *`,
          [input.title, input.description, category.code, category.path, region.code, region.path],
        );
        const demand = rows[0]!;
        if (outbox) {
          await client.query('select pg_advisory_xact_lock(4826113)');
          await client.query(
            `insert into event (topic, entity_id, category_path, region_path, target_groups)
             values ('demand.published', $1, $2, $3, '{}')`,
            [demand.id, category.path, region.path],
          );
          await client.query(`select pg_notify('hub_events', 'demand.published')`);
        }
        await client.query('commit');
        return demand;
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    },
  },
  Demand: demandFields,
  Region: {
    parent: (r: Row, _: unknown, ctx: Loaders) =>
      r.parent_code ? ctx.region.load(r.parent_code as string) : null,
  },
  Organization: {
    creditCode: (o: Row) => o.credit_code,
    foundingType: (o: Row) => o.founding_type,
    verificationStatus: (o: Row) => o.verification_status,
    homeRegion: (o: Row, _: unknown, ctx: Loaders) => ctx.region.load(o.home_region_code as string),
  },
};

const apollo = new ApolloServer<Loaders>({ typeDefs, resolvers, csrfPrevention: false });
await apollo.start();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    void (async () => {
      const headers = new HeaderMap();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: req.method ?? 'POST',
          headers,
          search: new URL(req.url ?? '/', 'http://x').search,
          body: chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined,
        },
        context: async () => ({
          category: byKey('service_category', 'code'),
          region: byKey('region', 'code'),
        }),
      });
      res.statusCode = result.status ?? 200;
      for (const [k, v] of result.headers) res.setHeader(k, v);
      if (result.body.kind === 'complete') res.end(result.body.string);
      else {
        for await (const chunk of result.body.asyncIterator) res.write(chunk);
        res.end();
      }
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void apollo
    .stop()
    .then(() => pool.end())
    .finally(() => process.exit(0));
});
