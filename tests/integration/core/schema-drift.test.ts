import { inject, describe, expect, it } from 'vitest';
import { connectOrm } from '../../../src/core/db/db.js';
import { withDatabase } from '../../../src/core/db/database-url.js';
import { TEMPLATE_DATABASE } from '../../setup/constants.js';

describe('migrations', () => {
  it('build exactly the schema the entities describe (no statement left for schema:update)', async () => {
    // The template database was built by running every migration; comparing it with the entity
    // metadata catches drift that a stale migration snapshot would hide.
    const orm = await connectOrm(withDatabase(inject('adminDatabaseUrl'), TEMPLATE_DATABASE));
    try {
      const sql = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false, safe: false });
      expect(sql.trim()).toBe('');
    } finally {
      await orm.close();
    }
  });
});
