/** Strings of the admin screens (console/src/admin/); the English module must have the same keys. */
export const admin = {};
