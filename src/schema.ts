import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import type { GraphQLSchema } from 'graphql';
import { authChecker } from './core/auth.js';
import { NodeResolver } from './core/relay/node.resolver.js';
import { RegionResolver } from './modules/regions/region.resolver.js';
import { CategoryResolver } from './modules/categories/category.resolver.js';
import { AccountResolver } from './modules/accounts/account.resolver.js';

/** Every resolver class of the API. */
export const RESOLVERS = [NodeResolver, RegionResolver, CategoryResolver, AccountResolver] as const;

/** Builds the executable schema. Validation is on (type-graphql 2 turns it off by default). */
export function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    authChecker,
    authMode: 'error',
    validate: { forbidUnknownValues: false, stopAtFirstError: false },
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    emitSchemaFile: false,
  });
}
