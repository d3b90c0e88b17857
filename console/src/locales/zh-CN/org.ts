/** Strings of the org screens (console/src/org/); the English module must have the same keys. */
export const org = {};
