import type { Config } from './core/config.js';
import { TokenService } from './core/auth.js';
import { NodeRegistry } from './core/relay/node.resolver.js';
import { RegionService } from './modules/regions/region.service.js';
import { CategoryService } from './modules/categories/category.service.js';
import { AccountService } from './modules/accounts/account.service.js';
import { User } from './modules/accounts/user.entity.js';

/** The composition root: every service, built once per process and shared by all requests. */
export interface Services {
  config: Config;
  tokens: TokenService;
  nodes: NodeRegistry;
  regions: RegionService;
  categories: CategoryService;
  accounts: AccountService;
}

export function createServices(config: Config): Services {
  const tokens = new TokenService(config.jwtSecret, config.jwtTtlSeconds);
  const regions = new RegionService();
  const categories = new CategoryService();
  const accounts = new AccountService(tokens, regions);
  const nodes = new NodeRegistry()
    .register('Region', (ctx, key) => regions.get(ctx.em, key))
    .register('ServiceCategory', (ctx, key) => categories.get(ctx.em, key))
    // Users are visible by id to signed-in users only (their personal fields stay guarded).
    .register('User', async (ctx, key) =>
      ctx.viewer && /^\d+$/.test(key) ? ctx.em.findOne(User, { id: Number(key) }) : null,
    );
  return { config, tokens, nodes, regions, categories, accounts };
}
