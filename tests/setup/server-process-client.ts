import { spawn, type ChildProcess } from 'node:child_process';
import { inject } from 'vitest';

/** A server child process started by {@link spawnServer}. */
export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  wsUrl: string;
  /** Kills it by pid (SIGKILL by default: a crash) and waits until it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Spawns `tests/setup/server-process.ts` against `databaseUrl` and waits until it listens. It runs
 * the bundle of it that global-setup.ts builds once (server-bundle.ts): the same sources through the
 * same esbuild transform as tsx, loaded as one file, which spares each child 2–3 s CPU of the
 * 6.5 s it took to listen under `--import tsx/esm` on Node 20 (docs/architecture.md, "Tests").
 * `npm start` runs a bundle of src/main.ts built the same way (docs/architecture.md, "Starting the hub").
 */
export function spawnServer(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [inject('serverBundle')], {
    env: { ...process.env, ...env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server process did not start in time: ${err}`));
    }, 60_000);
    child.stderr?.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server process exited (${code}) before listening: ${err}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\S+)/.exec(out);
      if (!match?.[1] || child.pid === undefined) return;
      clearTimeout(timer);
      const url = match[1];
      const pid = child.pid;
      resolve({
        child,
        pid,
        url,
        wsUrl: `${url.replace('http', 'ws')}/graphql`,
        async kill(signal = 'SIGKILL') {
          if (child.exitCode === null && child.signalCode === null) process.kill(pid, signal);
          await exited;
        },
      });
    });
  });
}
