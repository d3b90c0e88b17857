import { describe, expect, it, vi } from 'vitest';
import { isObjectType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { createSchema } from '../../../src/schema.js';
import { bypassResolverWrappers, validateArgument } from '../../../src/core/graphql/schema-execution.js';
import { SubmitDemandInput } from '../../../src/modules/demands/demand.inputs.js';
import { Organization } from '../../../src/modules/organizations/organization.entity.js';

/** Which fields keep a resolver after readPlainFieldsDirectly (schema-execution.ts). */
function resolverOf(schema: GraphQLSchema, typeName: string, fieldName: string) {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
  const field = type.getFields()[fieldName];
  if (!field) throw new Error(`${typeName}.${fieldName} does not exist`);
  return field.resolve;
}

describe('schema execution', () => {
  it('refuses to bypass the resolvers of a schema configured with global middlewares', async () => {
    const schema = await createSchema();
    expect(() => bypassResolverWrappers(schema, { globalMiddlewares: [(_, next) => next()] })).toThrow(
      /globalMiddlewares are configured/,
    );
  });

  it('reads plain fields directly and keeps resolver methods, root fields and interface fields', async () => {
    const schema = await createSchema();
    expect(resolverOf(schema, 'Demand', 'title')).toBeUndefined();
    expect(resolverOf(schema, 'Demand', 'createdAt')).toBeUndefined();
    expect(resolverOf(schema, 'Region', 'name')).toBeUndefined();
    // Resolver methods: a @FieldResolver, a @Field on a method, the Node id, a root query.
    expect(resolverOf(schema, 'Demand', 'category')).toBeTypeOf('function');
    expect(resolverOf(schema, 'Organization', 'rating')).toBeTypeOf('function');
    expect(resolverOf(schema, 'Demand', 'id')).toBeTypeOf('function');
    expect(resolverOf(schema, 'Query', 'demands')).toBeTypeOf('function');
  });

  it('calls field resolver methods directly, and leaves other roots to type-graphql', async () => {
    const schema = await createSchema();
    const rating = resolverOf(schema, 'Organization', 'rating')!;
    const info = {} as GraphQLResolveInfo;
    const org = Object.assign(Object.create(Organization.prototype) as Organization, {
      ratingSum: 9,
      ratingCount: 2,
    });
    expect(rating(org, {}, {}, info)).toBe(4.5);
    // A plain object is not an Organization: type-graphql converts it, then calls the method.
    expect(await rating({ ratingSum: 3, ratingCount: 1 }, {}, {}, info)).toBe(3);
    // A resolver class's method, with its @Root and @Ctx: regionsServed asks the reference cache.
    const regions = [{ code: '370100' }];
    const many = vi.fn(() => regions);
    const context = { em: {}, services: { reference: { regions: { many } } } };
    Object.assign(org, { regionCodes: ['370100'] });
    expect(resolverOf(schema, 'Organization', 'regionsServed')!(org, {}, context, info)).toBe(regions);
    expect(many).toHaveBeenCalledWith(context.em, ['370100']);
  });

  it('validates input objects as type-graphql does, with every failing field', async () => {
    const input = Object.assign(new SubmitDemandInput(), { title: '', peopleAffected: -1 });
    const error = await validateArgument(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArgumentValidationError);
    const properties = (error as ArgumentValidationError).extensions.validationErrors.map((e) => e.property);
    expect(properties).toEqual(expect.arrayContaining(['title', 'peopleAffected']));
    // Scalars and null are not validated; missing properties are skipped (type-graphql's default).
    await expect(validateArgument('x')).resolves.toBeUndefined();
    await expect(validateArgument(null)).resolves.toBeUndefined();
    await expect(validateArgument(new SubmitDemandInput())).resolves.toBeUndefined();
  });

  it('remembers arguments that passed, never those that failed, each by its class and value', async () => {
    const valid = () => Object.assign(new SubmitDemandInput(), { title: '周末托管', peopleAffected: 2 });
    const invalid = () => Object.assign(new SubmitDemandInput(), { title: '周末托管', peopleAffected: -1 });
    for (let round = 0; round < 3; round++) {
      await expect(validateArgument(valid(), SubmitDemandInput)).resolves.toBeUndefined();
      await expect(validateArgument(invalid(), SubmitDemandInput)).rejects.toBeInstanceOf(
        ArgumentValidationError,
      );
    }
    // The same JSON as another class's valid value is validated by its own class's rules.
    const asOrganization = Object.assign(new Organization(), { name: '' });
    await expect(validateArgument(asOrganization, Organization)).resolves.toBeUndefined();
  });
});
