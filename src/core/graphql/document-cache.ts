import { parse, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';

/**
 * Parsed and validated documents by their source text, least recently used first: graphql-ws's
 * counterpart of Apollo's document store. Without it every subscription parses and validates (with
 * armor's depth and alias rules) anew, while thousands of organizations' consoles and bots subscribe
 * with the same few documents. Only documents that passed are kept, so a client sending ever-new junk gains
 * nothing from the cache and cannot fill it with errors.
 */
export class ValidatedDocuments {
  private readonly documents = new Map<string, DocumentNode>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: readonly ValidationRule[],
    private readonly maxTokens: number,
    private readonly capacity = 500,
  ) {}

  /** The document, or the errors that refuse it (parse errors are thrown as graphql-js throws them). */
  get(source: string): { document: DocumentNode } | { errors: ReturnType<typeof validate> } {
    const known = this.documents.get(source);
    if (known) {
      this.documents.delete(source); // re-inserted: Map order is the LRU order
      this.documents.set(source, known);
      return { document: known };
    }
    const document = parse(source, { maxTokens: this.maxTokens });
    const errors = validate(this.schema, document, this.rules);
    if (errors.length) return { errors };
    if (this.documents.size >= this.capacity)
      this.documents.delete(this.documents.keys().next().value as string);
    this.documents.set(source, document);
    return { document };
  }
}
