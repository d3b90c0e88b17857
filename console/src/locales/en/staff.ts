import type { Translation } from '../types.js';
import type { staff as reference } from '../zh-CN/staff.js';

export const staff: Translation<typeof reference> = {};
