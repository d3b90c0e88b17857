import { Region } from './modules/regions/region.entity.js';
import { ServiceCategory } from './modules/categories/service-category.entity.js';
import { User } from './modules/accounts/user.entity.js';

/** Every MikroORM entity. Listed, not discovered, so tsx, vitest and the CLI see the same set. */
export const ENTITIES = [Region, ServiceCategory, User] as const;
