import type { ErrorTextOptions } from '../shared/errors.js';

/** The organization screens' hints for invalid fields (`org.fieldErrors.<field>`), before the shared ones. */
export const ORG_ERRORS: ErrorTextOptions = { fieldHints: ['org.fieldErrors'] };

/** A section's heading (`h2`) below the screen's `h1` (1.3rem), smaller than it as it ranks below. */
export const SECTION_TITLE_STYLE = { fontSize: '1.1rem', marginTop: 16 };
