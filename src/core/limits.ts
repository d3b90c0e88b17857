import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import { NoSchemaIntrospectionCustomRule, type ValidationRule } from 'graphql';
import type { Config } from './config.js';

/** The request limits applied identically to HTTP (Apollo) and WebSocket (graphql-ws). */
export interface RequestLimits {
  /** Extra validation rules: depth, aliases, directives, cost; and no introspection in production. */
  validationRules: ValidationRule[];
  /** Apollo plugins that armor needs (e.g. hiding field suggestions). */
  plugins: ApolloServerPlugin[];
  maxTokens: number;
  introspection: boolean;
  hideSuggestions: boolean;
}

/**
 * Builds the limits once. armor's own token limit is off: it reports a parse failure as HTTP 500,
 * so the token cap is Apollo's `parseOptions.maxTokens` (and graphql's `parse` on WebSocket).
 */
export function requestLimits(config: Config): RequestLimits {
  const production = config.nodeEnv === 'production';
  const { limits } = config;
  const armor = new ApolloArmor({
    maxTokens: { enabled: false },
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    costLimit: { maxCost: limits.maxCost },
    blockFieldSuggestion: { enabled: production },
  });
  const protection = armor.protect();
  return {
    validationRules: [
      ...protection.validationRules,
      ...(production ? [NoSchemaIntrospectionCustomRule] : []),
    ],
    // armor is typed against Apollo's CommonJS build and we load the ESM one: same objects, two declarations.
    plugins: protection.plugins as unknown as ApolloServerPlugin[],
    maxTokens: limits.maxTokens,
    introspection: !production,
    hideSuggestions: production,
  };
}

/** Removes graphql-js's "Did you mean …?" hints, which reveal the schema when introspection is off. */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean .+\?$/, '');
}
