import 'reflect-metadata';
import { ormOptions } from './src/core/db/orm-config.js';

// The MikroORM CLI (migration:create, migration:check) reads this default export. It never connects
// for those commands, so a placeholder URL is fine when DATABASE_URL is unset.
export default ormOptions(process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/niudai');
