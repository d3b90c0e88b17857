import { describe, expect, it } from 'vitest';
import { isObjectType, type GraphQLSchema } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { createSchema } from '../../../src/schema.js';
import { validateArgument } from '../../../src/core/schema-execution.js';
import { SubmitDemandInput } from '../../../src/modules/demands/demand.inputs.js';

/** Which fields keep a resolver after readPlainFieldsDirectly (schema-execution.ts). */
function resolverOf(schema: GraphQLSchema, typeName: string, fieldName: string) {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
  const field = type.getFields()[fieldName];
  if (!field) throw new Error(`${typeName}.${fieldName} does not exist`);
  return field.resolve;
}

describe('schema execution', () => {
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
});
