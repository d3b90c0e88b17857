/**
 * The JSON bodies of deliveries: `{ id, topic, occurredAt, data }`, where `id` is the event's outbox
 * seq (the same number as the subscription cursor, for deduplication) and `data` the entity as public
 * data — what anyone allowed to browse it reads, never the submitter or a personal contact.
 *
 * @module
 */
import { toGlobalId } from '../../core/relay/global-id.js';
import type { Demand } from '../demands/demand.entity.js';
import type { Project } from '../projects/project.entity.js';

/** The envelope of every delivery. */
export interface WebhookBody<T> {
  /** The event id: the outbox seq. Deliveries may repeat; receivers deduplicate on it. */
  id: number;
  /** `DEMAND_PUBLISHED` or `PROJECT_PUBLISHED`. */
  topic: string;
  /** When the change committed (ISO 8601). */
  occurredAt: string;
  data: T;
}

/** A demand as public data. */
export interface DemandData {
  id: string;
  title: string;
  description: string;
  categoryCode: string | null;
  categoryPath: string[];
  regionCode: string | null;
  regionPath: string[];
  targetGroups: string[];
  urgency: string;
  peopleAffected: number;
  endorsementCount: number;
  source: string;
  status: string;
  expiresAt: string;
  createdAt: string;
}

/** A project as public data (what its published tender says). */
export interface ProjectData {
  id: string;
  publisherId: string;
  title: string;
  description: string;
  categoryCode: string | null;
  categoryPath: string[];
  regionCodes: string[];
  targetGroups: string[];
  budget: { amountFen: number; currency: 'CNY' };
  procurementMethod: string;
  applicationOpensAt: string;
  applicationClosesAt: string;
  documents: { title: string; url: string }[];
  status: string;
  publishedAt: string | null;
}

/** Public fields of a demand; deliberately no submitter, contact or anonymity flag. */
export function demandData(demand: Demand): DemandData {
  return {
    id: demand.globalId(),
    title: demand.title,
    description: demand.description,
    categoryCode: demand.categoryPath.at(-1) ?? null,
    categoryPath: [...demand.categoryPath],
    regionCode: demand.regionPath.at(-1) ?? null,
    regionPath: [...demand.regionPath],
    targetGroups: [...demand.targetGroups],
    urgency: demand.urgency,
    peopleAffected: demand.peopleAffected,
    endorsementCount: demand.endorsementCount,
    source: demand.source,
    status: demand.status,
    expiresAt: demand.expiresAt.toISOString(),
    createdAt: demand.createdAt.toISOString(),
  };
}

/** Public fields of a published project; no creating user. */
export function projectData(project: Project): ProjectData {
  return {
    id: project.globalId(),
    publisherId: toGlobalId('Publisher', project.publisher.id),
    title: project.title,
    description: project.description,
    categoryCode: project.categoryPath.at(-1) ?? null,
    categoryPath: [...project.categoryPath],
    regionCodes: [...project.regionCodes],
    targetGroups: [...project.targetGroups],
    budget: { amountFen: project.budgetFen, currency: 'CNY' },
    procurementMethod: project.procurementMethod,
    applicationOpensAt: project.applicationOpensAt.toISOString(),
    applicationClosesAt: project.applicationClosesAt.toISOString(),
    documents: project.documents.map((d) => ({ title: d.title, url: d.url })),
    status: project.status,
    publishedAt: project.publishedAt?.toISOString() ?? null,
  };
}

/** The body string, serialised once and stored, so every retry sends (and signs) the same bytes. */
export function webhookBody<T>(body: WebhookBody<T>): string {
  return JSON.stringify(body);
}
