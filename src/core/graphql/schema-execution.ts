import { validateOrReject, type ValidationError, type ValidatorOptions } from 'class-validator';
import {
  getNamedType,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { getMetadataStorage, type BuildSchemaOptions } from 'type-graphql';
import { InvalidArgumentError } from '../errors.js';

/**
 * How type-graphql's schema executes, made cheaper where the profile of the nested read showed its
 * wrappers, with the same behaviour:
 *
 * - `validateArgument` is the argument validation type-graphql does by default, with class-validator
 *   imported once. type-graphql's own imports it with a dynamic `import()` on every validated
 *   argument, which was 1.5 % of the server's CPU on the feed.
 * - `readPlainFieldsDirectly` removes the resolver type-graphql gives every plain field.
 * - `callFieldResolversDirectly` calls field resolver methods without type-graphql's wrapper.
 */

/**
 * Both bypasses, for a schema built with `options`. They read type-graphql's metadata storage (hence
 * the exact pin of type-graphql in package.json) and replace the wrappers that apply
 * `globalMiddlewares`: a schema configured with any would silently lose them, so it fails here, at
 * start, instead.
 */
export function bypassResolverWrappers(
  schema: GraphQLSchema,
  options: Pick<BuildSchemaOptions, 'globalMiddlewares'>,
): void {
  if (options.globalMiddlewares?.length)
    throw new Error(
      'globalMiddlewares are configured, but readPlainFieldsDirectly and callFieldResolversDirectly ' +
        '(src/core/graphql/schema-execution.ts) replace the resolvers that would run them: apply the middleware ' +
        'per field, or stop bypassing.',
    );
  readPlainFieldsDirectly(schema);
  callFieldResolversDirectly(schema);
}

/** type-graphql's defaults for class-validator (it skips missing properties unless told not to). */
const VALIDATOR_OPTIONS: ValidatorOptions = {
  forbidUnknownValues: false,
  stopAtFirstError: false,
  skipMissingProperties: true,
};

const isValidated = (value: unknown): value is object => value !== null && typeof value === 'object';

/**
 * Validates an argument (input objects, and each object of a list) as type-graphql's default does.
 * A failure names the argument it came from, so clients see each field's path from the operation's
 * arguments (`input.title` for `@Arg('input')`, `first` for an `@ArgsType` class).
 */
export async function validateArgument(
  argValue: unknown,
  argType?: unknown,
  resolverData?: { info: GraphQLResolveInfo },
): Promise<void> {
  if (!isValidated(argValue)) return;
  const known = knownValid.key(argValue, argType);
  if (known !== null && knownValid.has(known)) return;
  try {
    if (Array.isArray(argValue)) {
      await Promise.all(
        argValue.filter(isValidated).map((item) => validateOrReject(item, VALIDATOR_OPTIONS)),
      );
    } else {
      await validateOrReject(argValue, VALIDATOR_OPTIONS);
    }
  } catch (errors) {
    throw new InvalidArgumentError(errors as ValidationError[], argumentNameOf(argType, resolverData?.info));
  }
  if (known !== null) knownValid.add(known);
}

/** Longest argument (as JSON) whose validity is remembered: query arguments, not mutation inputs. */
const MAX_KNOWN_ARGUMENT_JSON = 512;
/** How many valid arguments are remembered (least recently used go first). */
const MAX_KNOWN_ARGUMENTS = 1000;

/**
 * Arguments that passed validation, by their class and JSON. class-validator's rules here are
 * functions of the value alone (no rule reads the clock, the database or a context), and an
 * argument of one class with one JSON is built alike by type-graphql from the same GraphQL input
 * (its nested inputs are instances of the same classes; a Date is a DateTime's ISO text), so it
 * passes again. A client repeating a query sends the same arguments: validating the feed's
 * `DemandsArgs` anew was 2.5 % of the nested read's CPU. Failures are never remembered: their
 * errors are built every time.
 */
class KnownValidArguments {
  private readonly keys = new Map<string, true>();
  private readonly classIds = new WeakMap<object, number>();
  private nextClassId = 0;

  /** The argument's key, or null when it is not remembered (too long, or of no class). */
  key(value: object, argType: unknown): string | null {
    if (typeof argType !== 'function') return null;
    let classId = this.classIds.get(argType);
    if (classId === undefined) this.classIds.set(argType, (classId = this.nextClassId++));
    const json = JSON.stringify(value);
    return json.length > MAX_KNOWN_ARGUMENT_JSON ? null : `${classId}:${json}`;
  }

  has(key: string): boolean {
    if (!this.keys.delete(key)) return false;
    this.keys.set(key, true); // re-inserted: Map order is the LRU order
    return true;
  }

  add(key: string): void {
    if (this.keys.size >= MAX_KNOWN_ARGUMENTS) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(key, true);
  }
}

const knownValid = new KnownValidArguments();

/**
 * Which of the field's arguments a validated value was: none for an `@ArgsType` class (its
 * properties are the arguments themselves), else the one argument whose type is the validated input
 * class. type-graphql passes the class but not the argument's name.
 */
function argumentNameOf(argType: unknown, info: GraphQLResolveInfo | undefined): string | null {
  const storage = getMetadataStorage();
  if (storage.argumentTypes.some((args) => args.target === argType)) return null;
  const inputTypeName = storage.inputTypes.find((input) => input.target === argType)?.name;
  const field = info?.parentType.getFields()[info.fieldName];
  const candidates = (field?.args ?? []).filter((arg) => getNamedType(arg.type).name === inputTypeName);
  return candidates.length === 1 ? candidates[0]!.name : 'input';
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

type ParamMetadata = NonNullable<FieldResolverMetadata['params']>[number];
type Resolve = GraphQLFieldResolver<unknown, Record<string, unknown>>;

/** A parameter's value from the resolver's arguments, for the kinds called directly (else null). */
function paramGetter(
  param: ParamMetadata,
): ((root: unknown, context: unknown, info: unknown) => unknown) | null {
  const property = 'propertyName' in param ? param.propertyName : undefined;
  switch (param.kind) {
    case 'root':
      if (param.getType) return null; // type-graphql would convert the root to that type
      return property ? (root) => (root as Record<string, unknown>)[property] : (root) => root;
    case 'context':
      return property
        ? (_, context) => (context as Record<string, unknown>)[property]
        : (_, context) => context;
    case 'info':
      return (_root, _context, info) => info;
    default:
      return null; // arguments are converted and validated by type-graphql
  }
}

/**
 * type-graphql runs every `@FieldResolver` (and `@Field` method) through a wrapper that gets the
 * resolver class's instance from its container, applies middlewares and roles, builds the
 * parameter list by a switch over each parameter's kind, and checks for promises. For a field
 * resolver with no roles, no middlewares and only `@Root`, `@Ctx` and `@Info` parameters, that is
 * the method call and nothing else; on the feed it ran 400 times per response (about 5 % of the
 * CPU). Those are called directly here:
 *
 * - a resolver class's method on one instance of the class (resolver classes hold no state, and
 *   type-graphql without a container makes one with `new` in the same way);
 * - an object type's own method (or getter) on the root, when the root is an instance of that
 *   type; any other root goes to type-graphql, which converts it first.
 *
 * Everything else (arguments, roles, middlewares) keeps type-graphql's resolver.
 */
export function callFieldResolversDirectly(schema: GraphQLSchema): void {
  const storage = getMetadataStorage();
  const instances = new Map<object, Record<string, unknown>>();
  const instanceOf = (target: object) => {
    let instance = instances.get(target);
    if (!instance) instances.set(target, (instance = new (target as new () => Record<string, unknown>)()));
    return instance;
  };
  for (const resolver of storage.fieldResolvers) {
    const owner = resolver.getObjectType?.();
    const argumentsOf =
      owner && !resolver.roles && !resolver.middlewares?.length && directArguments(resolver);
    if (!argumentsOf) continue;
    // The object types with this field: the type itself, or those implementing it (an interface).
    for (const objectType of storage.objectTypes) {
      if (objectType.target !== owner && !objectType.interfaceClasses?.includes(owner)) continue;
      const type = schema.getType(objectType.name);
      const field = isObjectType(type) ? type.getFields()[resolver.schemaName] : undefined;
      if (!field?.resolve) continue;
      const method = resolver.methodName;
      if (resolver.kind === 'internal') {
        field.resolve = ownMethodResolver(owner, method, argumentsOf, field.resolve as Resolve);
      } else {
        const instance = instanceOf(resolver.target);
        const handler = instance[method] as (...args: unknown[]) => unknown;
        field.resolve = ((root, _args, context, info) =>
          handler.apply(instance, argumentsOf(root, context, info))) as Resolve;
      }
    }
  }
}

type FieldResolverMetadata = ReturnType<typeof getMetadataStorage>['fieldResolvers'][number];
type ArgumentsOf = (root: unknown, context: unknown, info: unknown) => unknown[];

/** The resolver's parameter list from (root, context, info); null when a parameter needs type-graphql. */
function directArguments(resolver: FieldResolverMetadata): ArgumentsOf | null {
  const params = [...(resolver.params ?? [])].sort((a, b) => a.index - b.index);
  const getters = params.map(paramGetter);
  if (getters.some((g) => g === null)) return null;
  return (root, context, info) => getters.map((get) => get!(root, context, info));
}

/** An object type's own method (or getter) on roots of that type; other roots go to `wrapped`. */
function ownMethodResolver(
  owner: ReturnType<NonNullable<FieldResolverMetadata['getObjectType']>>,
  method: string,
  argumentsOf: ArgumentsOf,
  wrapped: Resolve,
): Resolve {
  return ((root, args, context, info) => {
    if (!(root instanceof owner)) return wrapped(root, args, context, info);
    const member = (root as Record<string, unknown>)[method];
    return typeof member === 'function' ? member.apply(root, argumentsOf(root, context, info)) : member;
  }) as Resolve;
}
