/** Strings of the staff screens (console/src/staff/); the English module must have the same keys. */
export const staff = {};
