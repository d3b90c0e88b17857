import {
  Arg,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Mutation,
  ObjectType,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../../core/context.js';
import { fieldReads } from '../../core/graphql/field-reads.js';
import type { ReadRecord } from '../../core/read-records.js';
import { Organization } from './organization.entity.js';
import { OrganizationDocument } from './organization-document.entity.js';
import { CreditCodeProblemReason, OrganizationKind } from './organization.enums.js';
import { CreditCodeCheck } from './organization.types.js';
import { DOCUMENT_PATH } from './organization-documents.http.js';
import { ORGANIZATION_FACT_PROPERTIES } from './organization.policy.js';

const reads = fieldReads(Organization);

@InputType()
export class RemoveOrganizationDocumentInput {
  @Field(() => ID)
  documentId!: string;
}

@ObjectType()
export class RemoveOrganizationDocumentPayload {
  @Field(() => ID, { description: 'The id of the document removed.' })
  documentId!: string;
}

/** What reviewers read of an organization: its stored credit-code check and its documents. */
@Resolver(() => Organization)
export class OrganizationReviewResolver {
  @reads('creditCodeCheck', 'creditCodeCheckedAt')
  @FieldResolver(() => CreditCodeCheck, {
    nullable: true,
    description:
      'What the hub found in its credit code when it registered or last changed its profile (derived from the public code); null for organizations registered before the hub stored it, and for community groups, which have no code.',
  })
  creditCodeCheck(@Root() org: ReadRecord<Organization>): CreditCodeCheck | null {
    const found = org.creditCodeCheck;
    if (!found || !org.creditCodeCheckedAt) return null;
    return {
      ...found,
      kind: found.kind as OrganizationKind | null,
      problem: found.problem as CreditCodeProblemReason | null,
      checkedAt: org.creditCodeCheckedAt,
    };
  }

  @reads(...ORGANIZATION_FACT_PROPERTIES)
  @FieldResolver(() => [OrganizationDocument], {
    nullable: true,
    description:
      'The documents it uploaded for its verification, oldest first: for its admins, platform admins and union staff in scope; null for others.',
  })
  documents(
    @Ctx() ctx: Context,
    @Root() org: ReadRecord<Organization>,
  ): Promise<OrganizationDocument[] | null> {
    return ctx.services.organizationDocuments.listOf(ctx, org);
  }

  @Authorized()
  @Mutation(() => RemoveOrganizationDocumentPayload, {
    description: "Its admins (and platform admins) remove one of the organization's documents.",
  })
  async removeOrganizationDocument(
    @Ctx() ctx: Context,
    @Arg('input', () => RemoveOrganizationDocumentInput) input: RemoveOrganizationDocumentInput,
  ): Promise<RemoveOrganizationDocumentPayload> {
    await ctx.services.organizationDocuments.remove(ctx, input.documentId);
    return { documentId: input.documentId };
  }
}

@Resolver(() => OrganizationDocument)
export class OrganizationDocumentResolver {
  @FieldResolver(() => String, {
    description: `Where to GET its bytes (\`${DOCUMENT_PATH}/<id>\`, with the API's Authorization header).`,
  })
  downloadPath(@Root() document: OrganizationDocument): string {
    return `${DOCUMENT_PATH}/${encodeURIComponent(document.globalId())}`;
  }
}
