import type { EntityManager } from '@mikro-orm/postgresql';
import { ref } from '@mikro-orm/core';
import { BadUserInputError } from '../../core/errors.js';
import { ServiceCategory } from './service-category.entity.js';
import { SERVICE_CATEGORIES, TARGET_GROUPS } from './categories.data.js';
import { TargetGroup, type TargetGroupInfo } from './target-group.js';

/** Reads the service taxonomy; seeds it from `categories.data.ts`. */
export class CategoryService {
  list(em: EntityManager, parentCode: string | null | undefined): Promise<ServiceCategory[]> {
    return em.find(ServiceCategory, parentCode === undefined ? {} : { parent: parentCode }, {
      orderBy: { sortOrder: 'asc', code: 'asc' },
    });
  }

  get(em: EntityManager, code: string): Promise<ServiceCategory | null> {
    return em.findOne(ServiceCategory, { code });
  }

  async require(em: EntityManager, code: string, path: string): Promise<ServiceCategory> {
    const category = await em.findOne(ServiceCategory, { code });
    if (!category) throw BadUserInputError.field(path, `service category ${code} does not exist`);
    return category;
  }

  targetGroups(): TargetGroupInfo[] {
    return TARGET_GROUPS.map((g) => ({ code: g.code as TargetGroup, name: g.name, nameEn: g.nameEn }));
  }

  /** Inserts missing categories and refreshes labels of existing ones; idempotent. */
  async seed(em: EntityManager): Promise<void> {
    const existing = new Map((await em.find(ServiceCategory, {})).map((c) => [c.code, c]));
    const paths = new Map<string, string[]>();
    for (const seed of SERVICE_CATEGORIES) {
      const path = seed.parentCode ? [...(paths.get(seed.parentCode) ?? []), seed.code] : [seed.code];
      paths.set(seed.code, path);
      const data = {
        name: seed.name,
        nameEn: seed.nameEn,
        sortOrder: seed.sortOrder,
        parent: seed.parentCode ? ref(em.getReference(ServiceCategory, seed.parentCode)) : null,
        path,
      };
      const current = existing.get(seed.code);
      if (current) em.assign(current, data);
      else em.persist(em.create(ServiceCategory, { code: seed.code, ...data }));
      await em.flush();
    }
  }
}
