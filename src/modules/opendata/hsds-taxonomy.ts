/**
 * The vocabularies Niudai classifies organizations and services by, as HSDS taxonomies: service
 * categories (the federation's category tree, read from the database), target groups, founding
 * types, evaluation grades, delivery modes, service facts and provider kinds. Every term has its Chinese name as
 * `name` (`language` "zh") and its English name as `description`, and a name-based UUID built from
 * the taxonomy's key and the term's code, so ids never change while codes do not.
 *
 * @module
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { TARGET_GROUPS } from '../categories/categories.data.js';
import {
  EvaluationGrade,
  FoundingType,
  ProviderKind,
  ServiceMode,
} from '../organizations/organization.enums.js';
import { partId } from './open-ids.js';

/** HSDS `taxonomy`. */
export interface HsdsTaxonomy {
  id: string;
  name: string;
  description: string;
  uri?: string;
  version?: string;
}

/** HSDS `taxonomy_term` as nested in an attribute. */
export interface HsdsTaxonomyTerm {
  id: string;
  code: string;
  name: string;
  description: string;
  parent_id?: string;
  taxonomy: string;
  taxonomy_id: string;
  language: string;
  term_uri?: string;
}

/** A term with its taxonomy, as `/taxonomy_terms` returns it. */
export type HsdsTaxonomyTermDetail = HsdsTaxonomyTerm & { taxonomy_detail: HsdsTaxonomy };

/** The taxonomies, keyed by the value attributes carry in `link_type` (what the term describes). */
export const TAXONOMY = {
  serviceCategory: { key: 'service_category', name: '服务类别', nameEn: 'Service categories' },
  targetGroup: { key: 'target_group', name: '服务对象', nameEn: 'Target groups of workers' },
  foundingType: { key: 'founding_type', name: '创办方式', nameEn: 'How the organization was founded' },
  evaluationGrade: {
    key: 'evaluation_grade',
    name: '社会组织评估等级',
    nameEn: 'Civil-affairs evaluation grade of social organizations',
  },
  deliveryMode: { key: 'delivery_mode', name: '服务方式', nameEn: 'Where the service is delivered' },
  serviceFacts: { key: 'service_facts', name: '服务数据', nameEn: 'Facts about a service' },
  providerKind: { key: 'provider_kind', name: '服务主体类型', nameEn: 'Kind of provider' },
} as const;

export type TaxonomyKey = (typeof TAXONOMY)[keyof typeof TAXONOMY]['key'];

const FOUNDING_TYPES: Record<FoundingType, [string, string]> = {
  [FoundingType.UNION_FOUNDED]: ['工会创办', 'Founded by a trade union'],
  [FoundingType.UNION_INCUBATED]: ['工会孵化', 'Incubated by a trade union'],
  [FoundingType.INDEPENDENT]: ['独立创办', 'Founded independently of unions'],
};

const GRADES: Record<Exclude<EvaluationGrade, EvaluationGrade.NONE>, [string, string]> = {
  [EvaluationGrade.GRADE_1A]: ['1A级', 'Grade 1A (lowest)'],
  [EvaluationGrade.GRADE_2A]: ['2A级', 'Grade 2A'],
  [EvaluationGrade.GRADE_3A]: ['3A级', 'Grade 3A'],
  [EvaluationGrade.GRADE_4A]: ['4A级', 'Grade 4A'],
  [EvaluationGrade.GRADE_5A]: ['5A级', 'Grade 5A (highest)'],
};

const MODES: Record<ServiceMode, [string, string]> = {
  [ServiceMode.ON_SITE]: ['线下服务', 'On site'],
  [ServiceMode.ONLINE]: ['线上服务', 'Online'],
  [ServiceMode.BOTH]: ['线上与线下', 'Online and on site'],
};

/** Also the organization's HSDS `legal_status` when it is not a social organization (hsds.ts). */
export const PROVIDER_KINDS: Record<ProviderKind, [string, string]> = {
  [ProviderKind.SOCIAL_ORGANIZATION]: ['社会组织', 'Social organization'],
  [ProviderKind.CARING_ENTERPRISE]: ['爱心企业', 'Caring enterprise'],
  [ProviderKind.PUBLIC_INSTITUTION]: ['事业单位', 'Public institution'],
  [ProviderKind.COMMUNITY_GROUP]: ['备案的社区社会组织', 'Community group filed with a sponsoring hub'],
};

/** The code of the term whose attribute value is a service's monthly capacity. */
export const MONTHLY_CAPACITY = 'MONTHLY_CAPACITY';

/** Every taxonomy and term, loaded once per export or request (the category tree is small). */
export class HsdsVocabulary {
  readonly taxonomies: HsdsTaxonomy[];
  readonly terms: HsdsTaxonomyTermDetail[];
  private readonly byKeyAndCode = new Map<string, HsdsTaxonomyTermDetail>();
  private readonly byId = new Map<string, HsdsTaxonomyTermDetail>();
  /** Category code → the codes of its whole subtree (itself included). */
  private readonly categorySubtree = new Map<string, string[]>();

  private constructor(publicUrl: string, categories: ServiceCategory[]) {
    const base = `${publicUrl}/opendata/hsds`;
    const taxonomyOf = new Map<string, HsdsTaxonomy>();
    this.taxonomies = Object.values(TAXONOMY).map((t) => {
      const id = partId('taxonomy', t.key);
      const taxonomy = {
        id,
        name: t.name,
        description: t.nameEn,
        uri: `${base}/taxonomies/${id}`,
        version: '1',
      };
      taxonomyOf.set(t.key, taxonomy);
      return taxonomy;
    });
    this.terms = [];
    const add = (
      key: TaxonomyKey,
      code: string,
      name: string,
      nameEn: string,
      parentCode?: string | null,
    ) => {
      const taxonomy = taxonomyOf.get(key)!;
      const id = partId('taxonomy', key, code);
      const term: HsdsTaxonomyTermDetail = {
        id,
        code,
        name,
        description: nameEn,
        ...(parentCode ? { parent_id: partId('taxonomy', key, parentCode) } : {}),
        taxonomy: key,
        taxonomy_id: taxonomy.id,
        language: 'zh',
        term_uri: `${base}/taxonomy_terms/${id}`,
        taxonomy_detail: taxonomy,
      };
      this.terms.push(term);
      this.byKeyAndCode.set(`${key}/${code}`, term);
      this.byId.set(id, term);
    };
    for (const c of categories)
      add(TAXONOMY.serviceCategory.key, c.code, c.name, c.nameEn, c.path.at(-2) ?? null);
    for (const c of categories)
      for (const ancestor of c.path)
        this.categorySubtree.set(ancestor, [...(this.categorySubtree.get(ancestor) ?? []), c.code]);
    for (const g of TARGET_GROUPS) add(TAXONOMY.targetGroup.key, g.code, g.name, g.nameEn);
    for (const [code, [name, nameEn]] of Object.entries(FOUNDING_TYPES))
      add(TAXONOMY.foundingType.key, code, name, nameEn);
    for (const [code, [name, nameEn]] of Object.entries(GRADES))
      add(TAXONOMY.evaluationGrade.key, code, name, nameEn);
    for (const [code, [name, nameEn]] of Object.entries(MODES))
      add(TAXONOMY.deliveryMode.key, code, name, nameEn);
    add(
      TAXONOMY.serviceFacts.key,
      MONTHLY_CAPACITY,
      '每月可服务职工人数',
      'Workers the service can serve a month',
    );
    for (const [code, [name, nameEn]] of Object.entries(PROVIDER_KINDS))
      add(TAXONOMY.providerKind.key, code, name, nameEn);
  }

  static async load(em: EntityManager, publicUrl: string): Promise<HsdsVocabulary> {
    const categories = await em.find(ServiceCategory, {}, { orderBy: { code: 'asc' } });
    return new HsdsVocabulary(publicUrl, categories);
  }

  /** The term of `code` in the taxonomy `key`; undefined for a code the vocabulary lacks. */
  term(key: TaxonomyKey, code: string): HsdsTaxonomyTerm | undefined {
    const detail = this.byKeyAndCode.get(`${key}/${code}`);
    if (!detail) return undefined;
    const { taxonomy_detail: _taxonomy, ...term } = detail;
    return term;
  }

  termById(id: string): HsdsTaxonomyTermDetail | undefined {
    return this.byId.get(id);
  }

  taxonomyById(id: string): HsdsTaxonomy | undefined {
    return this.taxonomies.find((t) => t.id === id);
  }

  /** The category codes a category term covers: itself and every descendant. */
  categoryCodesUnder(code: string): string[] {
    return this.categorySubtree.get(code) ?? [code];
  }
}
