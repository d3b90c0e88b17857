import type { Translation } from '../types.js';
import type { admin as reference } from '../zh-CN/admin.js';

export const admin: Translation<typeof reference> = {};
