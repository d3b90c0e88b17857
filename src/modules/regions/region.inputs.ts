import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { Length } from 'class-validator';

/** Bounds the work one import does; the request body limit usually bites first. */
const MAX_CSV_CHARS = 2_000_000;

@InputType({ description: 'Administrative divisions to add or update, as CSV.' })
export class ImportRegionsInput {
  @Field(() => String, {
    description:
      'CSV with the header `code,name,nameEn,parentCode` (GB/T 2260 codes; parentCode empty for a province). ' +
      'Parents may be in the same file or already known.',
  })
  @Length(1, MAX_CSV_CHARS, { message: `must be 1 to ${MAX_CSV_CHARS} characters` })
  csv!: string;
}

@ObjectType({ description: 'What an import changed. It is all or nothing: a bad row writes nothing.' })
export class ImportRegionsPayload {
  @Field(() => Int, { description: 'Divisions that did not exist before.' })
  created!: number;

  @Field(() => Int, { description: 'Existing divisions whose names were refreshed.' })
  updated!: number;
}
