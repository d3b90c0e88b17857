import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The checkout the tests run in. */
const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The checkout's `npm run <script>` as the arguments of Node, as its package.json says: the tests
 * run the scripts' commands without npm (every one of them is `node …`). Null if it has no such script.
 */
export function nodeArgs(cwd: string, script: string): string[] | null {
  const { scripts } = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const line = scripts[script];
  if (line === undefined) return null;
  const [command, ...args] = line.split(' ');
  if (command !== 'node') throw new Error(`npm run ${script} is not a node command: ${line}`);
  return args;
}

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the checkout's scripts as `npm run <script> -- <args>` would: its `pre<script>` (which builds
 * the command's bundle, docs/architecture.md, "Starting the hub"), then the script's own command
 * with `args`. The pre-script runs once per script for the runner this returns: make one per test
 * file (its sources do not change while it runs). The result carries the exit code; never throws
 * for the script itself, only when its build fails.
 */
export function npmScripts(
  cwd = ROOT,
): (script: string, args: string[], env: NodeJS.ProcessEnv) => Promise<ScriptResult> {
  const built = new Map<string, Promise<unknown>>();
  return async (script, args, env) => {
    let build = built.get(script);
    if (!build) {
      const pre = nodeArgs(cwd, `pre${script}`);
      build = pre ? run(process.execPath, pre, { cwd, env }) : Promise.resolve();
      built.set(script, build);
    }
    await build;
    const command = nodeArgs(cwd, script);
    if (!command) throw new Error(`package.json has no script ${script}`);
    try {
      const { stdout, stderr } = await run(process.execPath, [...command, ...args], { cwd, env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as ScriptResult;
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };
}
