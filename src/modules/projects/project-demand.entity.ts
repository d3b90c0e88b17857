import {
  BigIntType,
  Entity,
  Index,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
  type Ref,
} from '@mikro-orm/core';
import { Demand } from '../demands/demand.entity.js';
import { Project } from './project.entity.js';

/**
 * A worker demand that a project was made from (职工点单、工会买单): the link `createProjectFromDemands`
 * writes. When the project is awarded, its linked demands are claimed by the winning organization.
 */
@Entity({ tableName: 'project_demand' })
@Unique({ properties: ['project', 'demand'] })
// "Is this demand already part of a live project?" and "which project became of it?" read by demand.
@Index({ properties: ['demand'] })
export class ProjectDemand {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Project, { ref: true, deleteRule: 'cascade' })
  project!: Ref<Project>;

  @ManyToOne(() => Demand, { ref: true, deleteRule: 'restrict' })
  demand!: Ref<Demand>;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
