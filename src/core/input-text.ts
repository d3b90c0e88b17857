import {
  defaultFieldResolver,
  getNullableType,
  isInputObjectType,
  isListType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { Length } from 'class-validator';
import { getMetadataStorage } from 'type-graphql';
import { BadUserInputError, type FieldProblem } from './errors.js';

/**
 * The one input rule for strings, applied to every argument of every field before its resolver or
 * `subscribe` runs (graphql-js, graphql-jit and graphql-ws all call those), to strings at any depth
 * of input objects and lists, and inside custom scalars' values:
 *
 * 1. No C0 control character other than tab, line feed and carriage return, and no DEL: such a
 *    string is refused with BAD_USER_INPUT naming its path (`code`, `filter.text`, `input.title`,
 *    `input.documents.0.title`). PostgreSQL refuses NUL in text, and the others have no business in
 *    names, codes or cursors.
 * 2. A field declared with {@link FreeText} is normalised — Unicode NFC, then trimmed — before
 *    anything else sees it; its length rule (class-validator, run by type-graphql afterwards) counts
 *    the normalised text, and the resolver stores the normalised text. Passwords are not free text.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const FREE_TEXT_EXTENSION = 'freeText';

/** Input classes → their properties declared with {@link FreeText}. */
const freeTextProperties = new Map<object, Set<string>>();

/** Free text as users write it: NFC, without surrounding white space. */
export function normaliseFreeText(text: string): string {
  return text.normalize('NFC').trim();
}

/**
 * Marks a String input field as free text (names, titles, descriptions, notes, reasons, contacts):
 * normalised by the input rule above, then `min` to `max` characters of normalised text (`min` ≥ 1
 * makes it required non-blank; an optional field stays optional with `@IsOptional()`).
 */
export function FreeText(length: { min?: number; max: number }): PropertyDecorator {
  const min = length.min ?? 0;
  const message =
    min > 0 ? `must be ${min} to ${length.max} characters` : `must be at most ${length.max} characters`;
  const lengthRule = Length(min, length.max, { message });
  return (target, property) => {
    const properties = freeTextProperties.get(target.constructor) ?? new Set<string>();
    freeTextProperties.set(target.constructor, properties.add(String(property)));
    lengthRule(target, property);
  };
}

/**
 * Marks the schema's input fields declared with {@link FreeText}, in the input type that declares them
 * and in every input type that inherits them (type-graphql copies inherited fields without their
 * extensions).
 */
function markFreeTextFields(schema: GraphQLSchema): void {
  for (const inputType of getMetadataStorage().inputTypes) {
    const type = schema.getType(inputType.name);
    if (!isInputObjectType(type)) continue;
    const fields = type.getFields();
    for (
      let target = inputType.target;
      target !== Function.prototype;
      target = Object.getPrototypeOf(target)
    ) {
      for (const property of freeTextProperties.get(target) ?? []) {
        const field = fields[property];
        if (field) field.extensions = { ...field.extensions, [FREE_TEXT_EXTENSION]: true };
      }
    }
  }
}

type Problems = FieldProblem[];

/** Checks every string inside a value of a custom scalar (a JSON object, say). */
function checkScalarValue(value: unknown, path: string, problems: Problems): void {
  if (typeof value === 'string') {
    if (CONTROL_CHARACTER.test(value))
      problems.push({ path, message: 'must not contain control characters' });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => checkScalarValue(item, `${path}.${index}`, problems));
  } else if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) checkScalarValue(item, `${path}.${key}`, problems);
  }
}

/** The value after the rule (a new object only where something was normalised); problems collected. */
function applyRule(
  value: unknown,
  type: GraphQLInputType,
  path: string,
  freeText: boolean,
  problems: Problems,
): unknown {
  if (value === null || value === undefined) return value;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return applyRule(value, nullable.ofType, path, freeText, problems);
    let changed = false;
    const items = value.map((item: unknown, index) => {
      const next = applyRule(item, nullable.ofType, `${path}.${index}`, freeText, problems);
      changed ||= next !== item;
      return next;
    });
    return changed ? items : value;
  }
  if (isInputObjectType(nullable)) {
    const fields = nullable.getFields();
    let copy: Record<string, unknown> | undefined;
    for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
      const field = fields[name];
      if (!field) continue;
      const isFreeText = field.extensions?.[FREE_TEXT_EXTENSION] === true;
      const next = applyRule(item, field.type, `${path}.${name}`, isFreeText, problems);
      if (next !== item) (copy ??= { ...(value as Record<string, unknown>) })[name] = next;
    }
    return copy ?? value;
  }
  if (typeof value === 'string') {
    if (CONTROL_CHARACTER.test(value)) {
      problems.push({ path, message: 'must not contain control characters' });
      return value;
    }
    return freeText ? normaliseFreeText(value) : value;
  }
  checkScalarValue(value, path, problems);
  return value;
}

/** A field's arguments after the input rule; throws BAD_USER_INPUT naming every refused string. */
export function checkedArguments(
  definitions: readonly GraphQLArgument[],
  args: Record<string, unknown>,
): Record<string, unknown> {
  const problems: Problems = [];
  let copy: Record<string, unknown> | undefined;
  for (const definition of definitions) {
    const value = args[definition.name];
    const next = applyRule(value, definition.type, definition.name, false, problems);
    if (next !== value) (copy ??= { ...args })[definition.name] = next;
  }
  if (problems.length) throw new BadUserInputError(problems);
  return copy ?? args;
}

type Resolver = GraphQLFieldResolver<unknown, unknown, Record<string, unknown>>;

/**
 * Puts the input rule in front of every field that takes arguments: its `subscribe` for a
 * subscription (the per-event `resolve` gets the arguments `subscribe` accepted), else its resolver.
 * Run last on the built schema, so that it wraps whatever resolver the field ended up with.
 */
export function applyInputRule(schema: GraphQLSchema): void {
  markFreeTextFields(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.args.length) continue;
      const definitions = field.args;
      const wrap =
        (inner: Resolver): Resolver =>
        (root, args, context, info) =>
          inner(root, checkedArguments(definitions, args), context, info);
      if (field.subscribe) field.subscribe = wrap(field.subscribe as Resolver);
      else field.resolve = wrap((field.resolve ?? defaultFieldResolver) as Resolver);
    }
  }
}
