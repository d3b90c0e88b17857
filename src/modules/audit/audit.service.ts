import type { Context } from '../../core/context.js';
import { NotFoundError } from '../../core/errors.js';
import {
  checkCursors,
  pageFromCursor,
  pageOptions,
  type ConnectionArgs,
  type Page,
} from '../../core/relay/connection.js';
import { decodeGlobalId } from '../../core/relay/global-id.js';
import type { Node } from '../../core/relay/node.js';
import { Role } from '../../core/roles.js';
import { AuditEntry } from './audit-entry.entity.js';

/**
 * Decisions the public may always read on an object it can see: they are what makes the directory
 * and the awards trustworthy (docs/domain.md, "Transparency").
 */
export const PUBLIC_AUDIT_ACTIONS: readonly string[] = [
  'verifyOrganization',
  'suspendOrganization',
  'awardProject',
  'cancelProject',
  'completeProject',
];

/**
 * Who, besides admins, may read the full trail of a subject: each module says for its own types
 * (e.g. union staff whose scope covers an organization's home region, that organization's admins).
 */
export type AuditReadRule = (ctx: Context, subject: Node) => Promise<boolean> | boolean;

/** The audit trail of one object, with its read rules. */
export class AuditService {
  private readonly rules = new Map<string, AuditReadRule>();

  constructor(private readonly fetchNode: (ctx: Context, id: string) => Promise<Node | null>) {}

  /** Lets a module decide who reads the full trail of its type (one rule per type: its policy's). */
  registerReadRule(typeName: string, rule: AuditReadRule): this {
    if (this.rules.has(typeName))
      throw new Error(`The audit read rule of ${typeName} is already registered.`);
    this.rules.set(typeName, rule);
    return this;
  }

  /**
   * Entries about `subjectId`, newest first. Anyone who can see the subject reads its public
   * decisions; admins and those the subject's module allows read everything.
   */
  async trail(ctx: Context, subjectId: string, args: ConnectionArgs): Promise<Page<AuditEntry>> {
    const subject = decodeGlobalId(subjectId) ? await this.fetchNode(ctx, subjectId) : null;
    if (!subject) throw new NotFoundError('Object', subjectId);
    const rule = this.rules.get(subject.nodeTypeName());
    const full =
      ctx.viewer?.roles.has(Role.ADMIN) === true || (rule !== undefined && (await rule(ctx, subject)));
    checkCursors(args, ['id']);
    const where = full ? { subjectId } : { subjectId, action: { $in: [...PUBLIC_AUDIT_ACTIONS] } };
    const cursor = await ctx.em.findByCursor(AuditEntry, where, {
      ...pageOptions(args),
      orderBy: { id: 'desc' },
      includeCount: false,
    });
    return pageFromCursor(cursor, () => ctx.em.count(AuditEntry, where));
  }
}
