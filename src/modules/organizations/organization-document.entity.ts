import {
  BigIntType,
  BlobType,
  Entity,
  Enum,
  Index,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  type Ref,
} from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { Node } from '../../core/relay/node.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from './organization.entity.js';
import { DocumentKind, DocumentType } from './organization.enums.js';

/**
 * A document an organization's admin uploaded for its verification (registration certificate,
 * charter …). The bytes live in PostgreSQL with the rest of its data (backed up and restored with
 * it); they are read only by the download route, never by a list.
 */
@Entity({ tableName: 'organization_document' })
@Index({ properties: ['organization', 'id'] })
@ObjectType({
  implements: Node,
  description:
    'A document an organization uploaded for its verification: for its admins, platform admins and union staff in scope; download it from `downloadPath` with the same Authorization header as the API.',
})
export class OrganizationDocument extends Node {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Organization, { ref: true, deleteRule: 'cascade' })
  organization!: Ref<Organization>;

  @Enum({ items: () => DocumentKind, type: 'string' })
  @Field(() => DocumentKind)
  kind!: DocumentKind;

  @Property({ type: 'string', length: 200 })
  @Field(() => String, { description: 'The file name it was uploaded under.' })
  fileName!: string;

  @Enum({ items: () => DocumentType, type: 'string' })
  @Field(() => DocumentType, {
    description: 'What its bytes are (read from their first bytes, not the name).',
  })
  contentType!: DocumentType;

  @Property({ type: 'integer' })
  @Field(() => Int)
  sizeBytes!: number;

  @Property({ type: BlobType, lazy: true })
  content!: Buffer;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  uploadedBy?: Ref<User> | null;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date = new Date();

  override nodeKey(): number {
    return this.id;
  }
}
