import { ArgsType, Field, InputType } from 'type-graphql';
import { IsEnum, IsOptional, ValidateNested } from 'class-validator';
import { ConnectionArgs } from '../../core/relay/connection.js';
import { FreeText } from '../../core/input-text.js';
import { Role } from '../../core/roles.js';
import { AccountStatus } from './user.entity.js';

@InputType({ description: 'Which accounts `accounts` lists; the conditions given must all hold.' })
export class AccountFilter {
  @Field(() => String, {
    nullable: true,
    description:
      'Part of the display name, e-mail address or mobile number (case-insensitive); omit it rather than send it blank.',
  })
  @IsOptional()
  @FreeText({ max: 100 })
  text?: string | null;

  @Field(() => Role, {
    nullable: true,
    description: "Accounts holding this role (ORG_ADMIN / ORG_MEMBER: by an organization membership's role).",
  })
  @IsOptional()
  @IsEnum(Role)
  role?: Role | null;

  @Field(() => AccountStatus, { nullable: true, description: 'Active or suspended accounts only.' })
  @IsOptional()
  @IsEnum(AccountStatus)
  status?: AccountStatus | null;
}

@ArgsType()
export class AccountsArgs extends ConnectionArgs {
  @Field(() => AccountFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: AccountFilter | null;
}
