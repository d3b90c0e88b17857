/**
 * Summarises a V8 `.cpuprofile` (written by `npm run bench -- --profile=DIR`): self time by package
 * (node_modules/<name>, the product's src/, node internals, GC) and the hottest functions.
 *
 *   npx tsx bench/src/profile-summary.ts DIR/<file>.cpuprofile [--top=40]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [--top=N]');
const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 40);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const windowed = /(^|\/)(window|client)-[^/]*\.cpuprofile$/.test(file);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) =>
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
);

function packageOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const src = url.indexOf('/src/');
  return src >= 0
    ? url
        .slice(src + 1)
        .split('/')
        .slice(0, 3)
        .join('/')
    : url;
}

const packages = new Map<string, number>();
const functions = new Map<string, number>();
let total = 0;
for (const [id, micros] of selfMicros) {
  const node = byId.get(id);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === '(idle)' || functionName === '(program)') continue;
  // A windowed profile (window-profile.ts) ends inside the inspector's own `Profiler.stop`, which
  // serializes the profile: up to half the window's samples, none of them the server's work.
  if (windowed && functionName === 'dispatch' && !url) continue;
  total += micros;
  const pkg = packageOf(url, functionName);
  packages.set(pkg, (packages.get(pkg) ?? 0) + micros);
  const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
  functions.set(key, (functions.get(key) ?? 0) + micros);
}

/** --inclusive=a,b: total time (self + callees) under functions with these names, each counted once per sample. */
const inclusiveNames =
  process.argv
    .find((a) => a.startsWith('--inclusive='))
    ?.slice(12)
    .split(',') ?? [];
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const inclusive = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const name = byId.get(at)?.callFrame.functionName ?? '';
    if (inclusiveNames.includes(name) && !seen.has(name)) {
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
    }
  }
}

const pct = (m: number) => ((100 * m) / total).toFixed(1).padStart(5) + ' %';
const excluded = windowed ? ", and the profiler's own stop" : '';
console.log(`busy ${(total / 1e6).toFixed(2)} s (idle and (program) excluded${excluded})\n\nby package:`);
for (const [name, m] of [...packages].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(pct(m), name);
console.log('\nhottest functions (self time):');
for (const [name, m] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(m), name);
if (inclusiveNames.length) {
  console.log('\ninclusive time:');
  for (const name of inclusiveNames) console.log(pct(inclusive.get(name) ?? 0), name);
}
