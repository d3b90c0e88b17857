/** The migrated database every test file copies (`CREATE DATABASE … TEMPLATE`). */
export const TEMPLATE_DATABASE = 'niudai_test_template';
