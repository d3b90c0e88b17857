/**
 * The shape another language's module must have: the same keys as the Chinese one (the reference
 * catalogue), each leaf a string. A missing or extra key fails the type check.
 */
export type Translation<T> = { [K in keyof T]: T[K] extends string ? string : Translation<T[K]> };
