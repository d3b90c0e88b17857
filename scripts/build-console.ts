import { writeConsole } from '../src/console/assets.js';
import { buildConsole, CONSOLE_DIST_DIR } from '../src/console/build.js';

/** `npm run build:console`: bundles the browser console into console/dist (gitignored). */
const started = performance.now();
await writeConsole(await buildConsole());
console.log(`console built into ${CONSOLE_DIST_DIR} in ${Math.round(performance.now() - started)} ms`);
