// Dead exports: every name a file of src/ exports is imported somewhere (src/, test/, the
// Vite config), or it is not exported. A syntax-only pass (no type checker): imports and
// re-exports are read per file and resolved like the bundler resolves relative paths; a
// namespace import, `export *`, a dynamic import() or a `?worker` import counts as using
// every export of its target.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const EXTS = ['.ts', '.tsx', '.d.ts', '/index.ts', '/index.tsx'];

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.tsx?$/.test(e)) out.push(p);
  }
  return out;
}

function resolveSpec(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec.replace(/\?.*$/, ''));
  if (/\.tsx?$/.test(base) && existsSync(base)) return base;
  for (const e of EXTS) if (existsSync(base + e)) return base + e;
  return null;
}

const hasExport = (n: ts.Node) => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** `file: name` of every export of src/ that nothing imports, sorted. */
export function deadExports(root: string): string[] {
  const src = files(join(root, 'src')).filter((f) => !f.endsWith('.d.ts'));
  const all = [...src, ...files(join(root, 'test')), join(root, 'vite.config.ts')];
  const exported = new Map<string, Set<string>>();
  const used = new Map<string, Set<string>>();
  const everything = new Set<string>();
  const use = (file: string | null, name: string) => {
    if (!file) return;
    if (!used.has(file)) used.set(file, new Set());
    used.get(file)!.add(name);
  };
  for (const f of all) {
    const sf = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true, f.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const mine = new Set<string>();
    exported.set(f, mine);
    const visit = (n: ts.Node): void => {
      if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
        const target = resolveSpec(f, n.moduleSpecifier.text);
        const c = n.importClause;
        if (target && (n.moduleSpecifier.text.includes('?') || !c)) everything.add(target);
        if (target && c) {
          if (c.name) use(target, 'default');
          if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) everything.add(target);
          if (c.namedBindings && ts.isNamedImports(c.namedBindings)) for (const s of c.namedBindings.elements) use(target, (s.propertyName ?? s.name).text);
        }
      } else if (ts.isExportDeclaration(n)) {
        const target = n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier) ? resolveSpec(f, n.moduleSpecifier.text) : null;
        if (!n.exportClause) {
          if (target) everything.add(target);
        } else if (ts.isNamedExports(n.exportClause)) {
          for (const s of n.exportClause.elements) {
            mine.add(s.name.text);
            if (target) use(target, (s.propertyName ?? s.name).text);
          }
        }
      } else if (ts.isExportAssignment(n)) {
        mine.add('default');
      } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0])) {
        const target = resolveSpec(f, n.arguments[0].text);
        if (target) everything.add(target);
      } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
        const target = resolveSpec(f, n.argument.literal.text);
        if (target) everything.add(target);
      } else if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'URL' && n.arguments?.[0] && ts.isStringLiteral(n.arguments[0])) {
        const target = resolveSpec(f, n.arguments[0].text);
        if (target) everything.add(target);
      } else if (hasExport(n)) {
        const isDefault = (ts.getModifiers(n as ts.HasModifiers) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
        if (isDefault) mine.add('default');
        else if (ts.isVariableStatement(n)) {
          for (const d of n.declarationList.declarations) if (ts.isIdentifier(d.name)) mine.add(d.name.text);
        } else if ('name' in n && n.name && ts.isIdentifier(n.name as ts.Node)) mine.add((n.name as ts.Identifier).text);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  const dead: string[] = [];
  for (const f of src) {
    if (everything.has(f)) continue;
    for (const name of exported.get(f) ?? []) if (!used.get(f)?.has(name)) dead.push(`${relative(root, f)}: ${name}`);
  }
  return dead.sort();
}
