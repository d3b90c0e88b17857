import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { startBot } from './bot.js';

/**
 * The bot as a program. Configuration from the environment:
 * NIUDAI_URL (default http://localhost:4000), NIUDAI_LOGIN, NIUDAI_PASSWORD, NIUDAI_CREDIT_CODE,
 * NIUDAI_CATEGORY (default LIFE.CHILDCARE), NIUDAI_CURSOR_FILE (default .org-bot-cursor).
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`Set ${name}.`);
    process.exit(2);
  }
  return value;
}

const cursorFile = process.env.NIUDAI_CURSOR_FILE ?? '.org-bot-cursor';
const bot = await startBot({
  hubUrl: process.env.NIUDAI_URL ?? 'http://localhost:4000',
  login: required('NIUDAI_LOGIN'),
  password: required('NIUDAI_PASSWORD'),
  creditCode: required('NIUDAI_CREDIT_CODE'),
  categoryCode: process.env.NIUDAI_CATEGORY ?? 'LIFE.CHILDCARE',
  after: existsSync(cursorFile) ? readFileSync(cursorFile, 'utf8').trim() || null : null,
  saveCursor: (cursor) => writeFileSync(cursorFile, cursor),
});

// Stopped by a refusal (the account or the organization may no longer do this): say so to the caller.
bot.done.catch(() => process.exit(1));

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void bot.stop().then(() => process.exit(0));
  });
