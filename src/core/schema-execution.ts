import { validateOrReject, type ValidationError, type ValidatorOptions } from 'class-validator';
import { isObjectType, type GraphQLSchema } from 'graphql';
import { ArgumentValidationError, getMetadataStorage } from 'type-graphql';

/**
 * How type-graphql's schema executes, made cheaper where the profile of the nested read showed its
 * wrappers, with the same behaviour:
 *
 * - `validateArgument` is the argument validation type-graphql does by default, with class-validator
 *   imported once. type-graphql's own imports it with a dynamic `import()` on every validated
 *   argument, which was 1.5 % of the server's CPU on the feed.
 * - `readPlainFieldsDirectly` removes the resolver type-graphql gives every plain field.
 */

/** type-graphql's defaults for class-validator (it skips missing properties unless told not to). */
const VALIDATOR_OPTIONS: ValidatorOptions = {
  forbidUnknownValues: false,
  stopAtFirstError: false,
  skipMissingProperties: true,
};

const isValidated = (value: unknown): value is object => value !== null && typeof value === 'object';

/** Validates an argument (input objects, and each object of a list) as type-graphql's default does. */
export async function validateArgument(argValue: unknown): Promise<void> {
  if (!isValidated(argValue)) return;
  try {
    if (Array.isArray(argValue)) {
      await Promise.all(
        argValue.filter(isValidated).map((item) => validateOrReject(item, VALIDATOR_OPTIONS)),
      );
    } else {
      await validateOrReject(argValue, VALIDATOR_OPTIONS);
    }
  } catch (errors) {
    throw new ArgumentValidationError(errors as ValidationError[]);
  }
}

/**
 * type-graphql gives every object field without a resolver method a resolver of its own
 * (`createBasicFieldResolver`), which only applies middlewares and `@Authorized` roles before it
 * reads the property. For a field with neither, that wrapper does nothing but cost: the nested read
 * calls it for each of ~800 fields. Without a resolver, graphql-js reads the property itself and
 * graphql-jit compiles the read inline. Fields with roles or middlewares, resolver methods and
 * renamed fields keep type-graphql's resolver.
 */
export function readPlainFieldsDirectly(schema: GraphQLSchema): void {
  const storage = getMetadataStorage();
  const hasResolverMethod = new Set(
    storage.fieldResolvers.map((r) => `${r.getObjectType?.()?.name}.${r.methodName}`),
  );
  for (const objectType of storage.objectTypes) {
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue;
    const graphqlFields = type.getFields();
    for (const field of objectType.fields ?? []) {
      const plain =
        !field.roles &&
        !field.middlewares?.length &&
        field.name === field.schemaName &&
        !hasResolverMethod.has(`${field.target.name}.${field.name}`);
      const graphqlField = graphqlFields[field.schemaName];
      if (plain && graphqlField) graphqlField.resolve = undefined;
    }
  }
}
