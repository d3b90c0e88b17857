import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { IsEnum, IsInt, IsOptional, Length, Matches, Min, ValidateNested } from 'class-validator';
import { ConnectionArgs } from '../../core/relay/connection.js';
import { ApplicationStatus, ProjectOrder, ProjectStatus } from './project.enums.js';

@InputType({ description: 'Project filters; all given filters must hold.' })
export class ProjectFilter {
  @Field(() => ID, { nullable: true, description: 'Projects of this publisher.' })
  @IsOptional()
  publisherId?: string | null;

  @Field(() => [ProjectStatus], { nullable: true, description: 'In any of these statuses.' })
  @IsOptional()
  status?: ProjectStatus[] | null;

  @Field(() => String, { nullable: true, description: 'In this service category or one inside it.' })
  @IsOptional()
  @Length(1, 64)
  categoryCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Serving this region or a region inside it.' })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'must be a 6-digit GB/T 2260 code' })
  regionCode?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'true: only projects accepting applications now (by the server clock).',
  })
  @IsOptional()
  openForApplications?: boolean | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'Only projects this organization may apply to by the rules `applyToProject` checks (invitation, verification, grade, founding type, regions; `Project.eligibilityFor` tells the rule a project fails). For its members, union staff whose scope covers it and admins: FORBIDDEN to others who see it.',
  })
  @IsOptional()
  eligibleFor?: string | null;

  @Field(() => Int, { nullable: true, description: 'Budget at least this many fen.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  minBudgetFen?: number | null;

  @Field(() => Int, { nullable: true, description: 'Budget at most this many fen.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  maxBudgetFen?: number | null;
}

@ArgsType()
export class ProjectsArgs extends ConnectionArgs {
  @Field(() => ProjectFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: ProjectFilter | null;

  @Field(() => ProjectOrder, { nullable: true, defaultValue: ProjectOrder.NEWEST })
  @IsOptional()
  orderBy?: ProjectOrder | null;
}

@ArgsType()
export class ApplicationListArgs extends ConnectionArgs {
  @Field(() => ApplicationStatus, { nullable: true, description: 'Only applications in this status.' })
  @IsOptional()
  @IsEnum(ApplicationStatus)
  status?: ApplicationStatus | null;
}
