/**
 * The documents an organization's admins upload for its verification: upload (from the HTTP route,
 * organization-documents.http.ts), listing, download and removal, each checked against
 * `canSeeDocuments` / `canManage` as the viewer stands at that request, and each audited.
 *
 * @module
 */
import { ref } from '@mikro-orm/core';
import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor, Context } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { CONTROL_CHARACTER, normaliseFreeText } from '../../core/input-text.js';
import type { ReadRecord } from '../../core/read-records.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { documentTypeOf } from './document-type.js';
import { OrganizationDocument } from './organization-document.entity.js';
import { Organization } from './organization.entity.js';
import { DocumentKind } from './organization.enums.js';
import {
  canManage,
  canSeeDocuments,
  mayReadDocumentsOf,
  organizationFacts,
  requireManaged,
} from './organization.policy.js';
import { viewerFactsOf } from './viewer-facts.js';

/** Documents one organization keeps at most (also `Organization.documents`' list bound). */
export const DOCUMENTS_PER_ORGANIZATION = 20;

/** What an upload carries: the route's query parameters and the request's body. */
export interface DocumentUpload {
  organizationId: string;
  kind: string;
  fileName: string;
  content: Buffer;
}

declare module '../../core/context.js' {
  interface RequestLoaders {
    /** An organization's documents (without their bytes), oldest first, per organization id. */
    organizationDocuments: DataLoader<number, OrganizationDocument[]>;
  }
}

/** The per-request loader of documents: a list of organizations costs one query. */
export function organizationDocumentsLoader(em: EntityManager): DataLoader<number, OrganizationDocument[]> {
  return new DataLoader(async (ids) => {
    const rows = await em.find(
      OrganizationDocument,
      { organization: { $in: [...ids] } },
      { orderBy: { id: 'asc' } },
    );
    return ids.map((id) => rows.filter((r) => r.organization.id === id));
  });
}

export class OrganizationDocumentsService {
  constructor(private readonly limits: { documentMaxBytes: number }) {}

  /** The largest document accepted (`DOCUMENT_MAX_BYTES`). */
  get maxBytes(): number {
    return this.limits.documentMaxBytes;
  }

  /** `Organization.documents`: null for those who may not read them. */
  async listOf(ctx: Context, org: ReadRecord<Organization>): Promise<OrganizationDocument[] | null> {
    // From the record's own facts (its home region batched): a queue of organizations costs no query each.
    if (!canSeeDocuments(viewerFactsOf(ctx.viewer), await organizationFacts(ctx.em, org))) return null;
    return ctx.loaders.organizationDocuments.load(org.id);
  }

  /**
   * Its admin (or a platform admin) uploads a PDF, JPEG or PNG of at most `DOCUMENT_MAX_BYTES`. The
   * type is read from the bytes; every check runs before anything is written, and the row and its
   * audit entry are written in one transaction.
   */
  async upload(actor: Actor, upload: DocumentUpload): Promise<OrganizationDocument> {
    const viewer = requireViewer(actor.viewer);
    const org = await requireManaged(actor, upload.organizationId, 'organizationId');
    if (!Object.values(DocumentKind).includes(upload.kind as DocumentKind))
      throw BadUserInputError.field('kind', `must be one of ${Object.values(DocumentKind).join(', ')}`);
    const fileName = normaliseFreeText(upload.fileName);
    if (fileName.length === 0 || fileName.length > 200 || CONTROL_CHARACTER.test(fileName))
      throw BadUserInputError.field('fileName', 'must be 1 to 200 characters without control characters');
    if (upload.content.length === 0) throw BadUserInputError.field('file', 'is empty');
    if (upload.content.length > this.limits.documentMaxBytes)
      throw BadUserInputError.field('file', `must be at most ${this.limits.documentMaxBytes} bytes`);
    const contentType = documentTypeOf(upload.content);
    if (!contentType) throw BadUserInputError.field('file', 'must be a PDF, JPEG or PNG file');
    return actor.em.transactional(async (em) => {
      // Under a lock on the organization, so two uploads at once cannot both pass the bound.
      await em.execute(`select 1 from "organization" where "id" = ? for update`, [org.id]);
      if ((await em.count(OrganizationDocument, { organization: org.id })) >= DOCUMENTS_PER_ORGANIZATION)
        throw new ConflictError(
          `An organization keeps at most ${DOCUMENTS_PER_ORGANIZATION} documents: remove one first.`,
        );
      const document = em.create(OrganizationDocument, {
        organization: ref(em.getReference(Organization, org.id)),
        kind: upload.kind as DocumentKind,
        fileName,
        contentType,
        sizeBytes: upload.content.length,
        content: upload.content,
        uploadedBy: ref(em.getReference(User, viewer.userId)),
      });
      await em.flush(); // the id is part of the audit subject
      recordAudit({ ...actor, em }, 'uploadOrganizationDocument', document, {
        organization: org.globalId(),
        kind: document.kind,
        fileName,
        contentType,
        sizeBytes: document.sizeBytes,
      });
      await em.flush();
      return document;
    });
  }

  /** A document with its bytes, for those who may read it (else NOT_FOUND); each download is audited. */
  async download(actor: Actor, globalId: string): Promise<OrganizationDocument> {
    requireViewer(actor.viewer);
    const id = parseIdOf('OrganizationDocument', globalId, 'id');
    const document = await actor.em.findOne(OrganizationDocument, { id }, { populate: ['content'] });
    if (!document || !(await mayReadDocumentsOf(actor, document.organization.id)))
      throw new NotFoundError('OrganizationDocument', globalId);
    recordAudit(actor, 'downloadOrganizationDocument', document, { fileName: document.fileName });
    await actor.em.flush();
    return document;
  }

  /** Its admin (or a platform admin) removes one; the audit entry keeps what it was. */
  async remove(actor: Actor, globalId: string): Promise<OrganizationDocument> {
    const viewer = requireViewer(actor.viewer);
    const id = parseIdOf('OrganizationDocument', globalId, 'input.documentId');
    return actor.em.transactional(async (em) => {
      const document = await em.findOne(OrganizationDocument, { id });
      if (!document || !(await mayReadDocumentsOf({ ...actor, em }, document.organization.id)))
        throw new NotFoundError('OrganizationDocument', globalId);
      if (!canManage(viewerFactsOf(viewer), document.organization.id))
        throw new ForbiddenError(
          "Only this organization's admins (and platform admins) remove its documents.",
        );
      recordAudit({ ...actor, em }, 'removeOrganizationDocument', document, {
        organization: document.organization,
        kind: document.kind,
        fileName: document.fileName,
      });
      em.remove(document);
      await em.flush();
      return document;
    });
  }
}
