import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { IsEmail, IsIn, IsOptional, Length, Matches, MaxLength } from 'class-validator';
import { Role, STAFF_ROLES } from '../../core/roles.js';
import { AccountStatus, User } from './user.entity.js';
import { FreeText } from '../../core/input-text.js';

/** Mainland China mobile numbers: 11 digits starting 13–19. */
export const MOBILE_PATTERN = /^1[3-9]\d{9}$/;
const PASSWORD_RULE = 'must be 8 to 128 characters';

@InputType({ description: 'A worker registers with an email address or a mobile number (or both).' })
export class SignUpInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsEmail({}, { message: 'is not a valid email address' })
  @MaxLength(254)
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'Mainland mobile number, 11 digits.' })
  @IsOptional()
  @Matches(MOBILE_PATTERN, { message: 'is not a valid mainland mobile number (11 digits, starting 13–19)' })
  mobile?: string | null;

  @Field(() => String)
  @Length(8, 128, { message: PASSWORD_RULE })
  password!: string;

  @Field(() => String, { description: 'The name others see; 1 to 50 characters.' })
  @FreeText({ min: 1, max: 50 })
  displayName!: string;
}

@InputType()
export class SignInInput {
  @Field(() => String, { description: 'Email address or mobile number.' })
  @Length(1, 254)
  login!: string;

  @Field(() => String)
  @Length(1, 128)
  password!: string;
}

@InputType({ description: 'An admin, or union staff inside their region scope, creates a staff account.' })
export class CreateStaffAccountInput extends SignUpInput {
  @Field(() => Role, { description: 'UNION_STAFF, GOV_STAFF, ENTERPRISE_STAFF or (admins only) ADMIN.' })
  @IsIn([...STAFF_ROLES], {
    message: 'must be a staff role: UNION_STAFF, GOV_STAFF, ENTERPRISE_STAFF or ADMIN',
  })
  role!: Role;

  @Field(() => String, {
    nullable: true,
    description:
      'GB/T 2260 code of the region the staff member works for; required for union and government staff.',
  })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'must be a 6-digit GB/T 2260 code' })
  regionScopeCode?: string | null;
}

@ObjectType({ description: 'A signed-in session.' })
export class AuthPayload {
  @Field(() => String, {
    description: 'Bearer token for the Authorization header or graphql-ws connectionParams.',
  })
  token!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => User)
  viewer!: User;
}

@ObjectType()
export class CreateStaffAccountPayload {
  @Field(() => User)
  user!: User;
}

@InputType({ description: 'An admin suspends an account, or makes a suspended one active again.' })
export class SetAccountStatusInput {
  @Field(() => ID, { description: 'Global id of the account.' })
  userId!: string;

  @Field(() => AccountStatus)
  status!: AccountStatus;

  @Field(() => String, { description: 'Why (kept in the audit trail).' })
  @FreeText({ min: 2, max: 2000 })
  reason!: string;
}

@ObjectType()
export class AccountPayload {
  @Field(() => User)
  user!: User;
}
