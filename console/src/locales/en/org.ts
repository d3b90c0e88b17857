import type { Translation } from '../types.js';
import type { org as reference } from '../zh-CN/org.js';

export const org: Translation<typeof reference> = {};
