import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * A static guard for the audit trail: every mutation of the emitted schema names an audit action that
 * reaches `recordAudit` as its action — written there as a literal, or passed as a literal to a helper
 * whose action parameter (or whose callback's returned `action`) is what it hands to `recordAudit`.
 * A name that merely appears somewhere in the sources does not count. Whether the entry is then
 * written and readable is checked by `tests/integration/reports/audit-trail.test.ts` (for the
 * mutations it runs) and the module tests that read `auditTrail`.
 */
const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Mutations that change nothing and so record nothing. */
const EXEMPT: Record<string, string> = {
  signIn: 'issues a token; changes no data (sign-in attempts are rate-limited, not audited)',
  markNotificationsRead: 'marks the caller’s own inbox read; nobody else reads it, so no one audits it',
};

/** The demand module names its actions `demand.<verb>`. */
const ACTION_OF: Record<string, string> = {
  submitDemand: 'demand.submit',
  endorseDemand: 'demand.endorse',
  withdrawDemand: 'demand.withdraw',
  claimDemand: 'demand.claim',
  releaseDemand: 'demand.release',
  reportDemandProgress: 'demand.progress',
  fulfilDemand: 'demand.fulfil',
  rateDemand: 'demand.rate',
  closeDemand: 'demand.close',
};

function sourceFiles(dir: string): ts.SourceFile[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    if (!e.name.endsWith('.ts') || e.name.endsWith('.resolver.ts')) return [];
    return [ts.createSourceFile(full, readFileSync(full, 'utf8'), ts.ScriptTarget.Latest, true)];
  });
}

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

/** The called function's own name: `f(…)`, `this.f(…)`, `x.f(…)`. */
function calleeName(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

/** The named function or method around `node`. */
function enclosingFunction(node: ts.Node): ts.FunctionDeclaration | ts.MethodDeclaration | undefined {
  for (let n = node.parent; n; n = n.parent)
    if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.name) return n;
  return undefined;
}

/** The action names that reach `recordAudit` as its action argument. */
function auditedActions(files: ts.SourceFile[]): Set<string> {
  const actions = new Set<string>();
  /** Helpers that pass their parameter at this position on as the action. */
  const byParameter = new Map<string, number>();
  /** Helpers whose action comes from what a callback passed to them returns (`{ action, … }`). */
  const byCallback = new Set<string>();
  for (const file of files)
    walk(file, (node) => {
      if (!ts.isCallExpression(node) || calleeName(node) !== 'recordAudit') return;
      const action = node.arguments[1];
      if (action && ts.isStringLiteral(action)) return void actions.add(action.text);
      if (!action || !ts.isIdentifier(action)) return;
      const helper = enclosingFunction(node);
      const helperName = helper?.name?.getText();
      if (!helper || !helperName) return;
      const position = helper.parameters.findIndex((p) => p.name.getText() === action.text);
      if (position >= 0) byParameter.set(helperName, position);
      else byCallback.add(helperName);
    });
  for (const file of files)
    walk(file, (node) => {
      if (!ts.isCallExpression(node)) return;
      const name = calleeName(node);
      if (!name) return;
      const position = byParameter.get(name);
      const argument = position === undefined ? undefined : node.arguments[position];
      if (argument && ts.isStringLiteral(argument)) actions.add(argument.text);
      if (byCallback.has(name))
        for (const callback of node.arguments)
          walk(callback, (inner) => {
            if (
              ts.isPropertyAssignment(inner) &&
              inner.name.getText() === 'action' &&
              ts.isStringLiteral(inner.initializer)
            )
              actions.add(inner.initializer.text);
          });
    });
  return actions;
}

describe('audit coverage', () => {
  it('every mutation in the schema passes its audit action to recordAudit', () => {
    const schema = readFileSync(path.join(ROOT, 'schema/schema.graphql'), 'utf8');
    const block = /type Mutation \{([\s\S]*?)\n\}/.exec(schema)?.[1] ?? '';
    const mutations = [...block.matchAll(/^ {2}([a-zA-Z]+)\(/gm)].map((m) => m[1]!);
    expect(mutations.length).toBeGreaterThan(20);
    const audited = auditedActions(sourceFiles(path.join(ROOT, 'src/modules')));
    const missing = mutations.filter((m) => !(m in EXEMPT)).filter((m) => !audited.has(ACTION_OF[m] ?? m));
    expect(missing).toEqual([]);
  });

  it('does not count a name that only appears in the sources', () => {
    const file = ts.createSourceFile(
      'fake.ts',
      `const label = 'deleteEverything';
       function audited(ctx, what) { recordAudit(ctx, what, subject); }
       audited(ctx, 'renameThing');
       recordAudit(ctx, 'closeThing', subject);`,
      ts.ScriptTarget.Latest,
      true,
    );
    expect([...auditedActions([file])].sort()).toEqual(['closeThing', 'renameThing']);
  });
});
