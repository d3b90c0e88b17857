import { describe, expect, it } from 'vitest';
import { buildSchema, specifiedRules } from 'graphql';
import { ValidatedDocuments } from '../../../src/core/graphql/document-cache.js';

const schema = buildSchema(`type Query { hello: String, n: Int }`);

describe('ValidatedDocuments', () => {
  it('parses and validates a document once, then hands back the same one', () => {
    const cache = new ValidatedDocuments(schema, specifiedRules, 1000);
    const first = cache.get('{ hello }');
    const second = cache.get('{ hello }');
    expect('document' in first && 'document' in second).toBe(true);
    if ('document' in first && 'document' in second) expect(second.document).toBe(first.document);
  });

  it('refuses an invalid document every time, and never keeps it', () => {
    const cache = new ValidatedDocuments(schema, specifiedRules, 1000);
    for (let i = 0; i < 2; i++) {
      const result = cache.get('{ nope }');
      expect('errors' in result && result.errors[0]?.message).toMatch(/Cannot query field "nope"/);
    }
  });

  it('throws the parse error (with the token limit) as graphql-js does', () => {
    const cache = new ValidatedDocuments(schema, specifiedRules, 5);
    expect(() => cache.get('{ hello n hello n hello }')).toThrow(/more that 5 tokens/);
    expect(() => new ValidatedDocuments(schema, specifiedRules, 1000).get('{ hello ')).toThrow(
      /Syntax Error/,
    );
  });

  it('keeps at most `capacity` documents, dropping the least recently used', () => {
    const cache = new ValidatedDocuments(schema, specifiedRules, 1000, 2);
    const a = cache.get('{ hello }');
    cache.get('{ n }');
    cache.get('{ hello }'); // a is now the most recent
    cache.get('{ hello n }'); // evicts { n }
    const again = cache.get('{ hello }');
    expect('document' in a && 'document' in again && again.document === a.document).toBe(true);
    const n1 = cache.get('{ n }');
    const n2 = cache.get('{ n }');
    expect('document' in n1 && 'document' in n2 && n1.document === n2.document).toBe(true);
  });
});
