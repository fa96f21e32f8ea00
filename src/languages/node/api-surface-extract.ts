import ts from 'typescript';
import { collapseWhitespace } from '../api-surface/public-paths.js';
import type { ApiItem } from '../api-surface/types.js';

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/** `export`, `default` and `declare` say where an item is visible, not what its signature is. */
const VISIBILITY_ONLY = new Set([
  ts.SyntaxKind.ExportKeyword,
  ts.SyntaxKind.DefaultKeyword,
  ts.SyntaxKind.DeclareKeyword,
]);

function signatureModifiers(node: ts.Node): ts.ModifierLike[] | undefined {
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
  const kept = mods?.filter((m) => !VISIBILITY_ONLY.has(m.kind));
  return kept && kept.length > 0 ? kept : undefined;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return (
    (ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined)?.some((m) => m.kind === kind) ?? false
  );
}

export function extractTypescript(source: string, file: string): ApiItem[] {
  const kind = /\.(tsx|jsx)$/.test(file)
    ? ts.ScriptKind.TSX
    : /\.(js|mjs|cjs)$/.test(file)
      ? ts.ScriptKind.JS
      : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, kind);
  const print = (node: ts.Node): string =>
    collapseWhitespace(printer.printNode(ts.EmitHint.Unspecified, node, sf));

  /** Every top-level declaration by local name, exported or not: `export { a as b }` names them. */
  const local = new Map<string, ApiItem[]>();
  const exported: ApiItem[] = [];
  const add = (items: ApiItem[], isExported: boolean, isDefault: boolean) => {
    for (const item of items) {
      const head = item.name.split('.')[0] ?? item.name;
      local.set(head, [...(local.get(head) ?? []), item]);
      if (isExported)
        exported.push(isDefault ? { ...item, name: item.name.replace(/^[^.]+/, 'default') } : item);
    }
  };

  for (const statement of sf.statements) {
    const isExported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
    const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
    if (ts.isExportDeclaration(statement)) {
      exported.push(...reExports(statement, local, sf));
    } else if (ts.isExportAssignment(statement)) {
      const target = ts.isIdentifier(statement.expression) ? local.get(statement.expression.text) : undefined;
      const name = statement.isExportEquals ? 'export=' : 'default';
      if (target) exported.push(...target.map((i) => ({ ...i, name: i.name.replace(/^[^.]+/, name) })));
      else exported.push({ name, kind: 'value', signature: name });
    } else {
      add(declarationItems(statement, print), isExported, isDefault);
    }
  }
  return mergeOverloads(exported);
}

function reExports(
  statement: ts.ExportDeclaration,
  local: Map<string, ApiItem[]>,
  sf: ts.SourceFile,
): ApiItem[] {
  const from = statement.moduleSpecifier ? ` from ${statement.moduleSpecifier.getText(sf)}` : '';
  const typeOnly = statement.isTypeOnly ? 'type ' : '';
  const clause = statement.exportClause;
  if (!clause) return [{ name: `*${from}`, kind: 're-export', signature: `export ${typeOnly}*${from}` }];
  if (ts.isNamespaceExport(clause)) {
    const name = clause.name.getText(sf);
    return [{ name, kind: 're-export', signature: `export ${typeOnly}* as ${name}${from}` }];
  }
  return clause.elements.flatMap((el) => {
    const name = el.name.getText(sf);
    const source = (el.propertyName ?? el.name).getText(sf);
    const target = from === '' ? local.get(source) : undefined;
    if (target) return target.map((i) => ({ ...i, name: i.name.replace(/^[^.]+/, name) }));
    return [{ name, kind: 're-export', signature: `export ${typeOnly}{ ${source} as ${name} }${from}` }];
  });
}

/** Overloads share a name: their signatures together are the item's signature. */
function mergeOverloads(items: ApiItem[]): ApiItem[] {
  const byName = new Map<string, ApiItem>();
  for (const item of items) {
    const seen = byName.get(item.name);
    byName.set(item.name, seen ? { ...seen, signature: `${seen.signature}\n${item.signature}` } : item);
  }
  return [...byName.values()];
}

function declarationItems(statement: ts.Statement, print: (n: ts.Node) => string): ApiItem[] {
  const f = ts.factory;
  const mods = signatureModifiers(statement);
  if (ts.isFunctionDeclaration(statement)) {
    const name = statement.name?.text ?? 'default';
    const bare = f.updateFunctionDeclaration(
      statement,
      mods,
      statement.asteriskToken,
      statement.name,
      statement.typeParameters,
      statement.parameters,
      statement.type,
      undefined,
    );
    return [{ name, kind: 'function', signature: print(bare) }];
  }
  if (ts.isClassDeclaration(statement)) {
    const name = statement.name?.text ?? 'default';
    const header = f.updateClassDeclaration(
      statement,
      mods,
      statement.name,
      statement.typeParameters,
      statement.heritageClauses,
      [],
    );
    return [{ name, kind: 'class', signature: print(header) }, ...classMembers(name, statement, print)];
  }
  if (ts.isInterfaceDeclaration(statement)) {
    return [
      {
        name: statement.name.text,
        kind: 'interface',
        signature: print(
          f.updateInterfaceDeclaration(
            statement,
            mods,
            statement.name,
            statement.typeParameters,
            statement.heritageClauses,
            statement.members,
          ),
        ),
      },
    ];
  }
  if (ts.isTypeAliasDeclaration(statement)) {
    return [
      {
        name: statement.name.text,
        kind: 'type',
        signature: print(
          f.updateTypeAliasDeclaration(
            statement,
            mods,
            statement.name,
            statement.typeParameters,
            statement.type,
          ),
        ),
      },
    ];
  }
  if (ts.isEnumDeclaration(statement)) {
    return [
      {
        name: statement.name.text,
        kind: 'enum',
        signature: print(f.updateEnumDeclaration(statement, mods, statement.name, statement.members)),
      },
    ];
  }
  if (ts.isModuleDeclaration(statement)) {
    return [
      {
        name: statement.name.getText(),
        kind: 'namespace',
        signature: `namespace ${statement.name.getText()}`,
      },
    ];
  }
  if (ts.isVariableStatement(statement)) {
    const keyword =
      statement.declarationList.flags & ts.NodeFlags.Const
        ? 'const'
        : statement.declarationList.flags & ts.NodeFlags.Let
          ? 'let'
          : 'var';
    return statement.declarationList.declarations.flatMap((d) => variableItems(keyword, d, print));
  }
  return [];
}

function variableItems(
  keyword: string,
  decl: ts.VariableDeclaration,
  print: (n: ts.Node) => string,
): ApiItem[] {
  const names = bindingNames(decl.name);
  if (!ts.isIdentifier(decl.name))
    return names.map((name) => ({ name, kind: 'variable', signature: `${keyword} ${name}` }));
  const name = decl.name.text;
  if (decl.type) return [{ name, kind: 'variable', signature: `${keyword} ${name}: ${print(decl.type)}` }];
  const init = decl.initializer;
  // A function value written without a type annotation: its parameters and return type are its signature.
  if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
    const params = init.parameters.map((p) => print(p)).join(', ');
    const typeParams = init.typeParameters ? `<${init.typeParameters.map((p) => print(p)).join(', ')}>` : '';
    const ret = init.type ? `: ${print(init.type)}` : '';
    return [{ name, kind: 'function', signature: `${keyword} ${name} = ${typeParams}(${params})${ret}` }];
  }
  return [{ name, kind: 'variable', signature: `${keyword} ${name}` }];
}

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((el) => (ts.isOmittedExpression(el) ? [] : bindingNames(el.name)));
}

function classMembers(className: string, cls: ts.ClassDeclaration, print: (n: ts.Node) => string): ApiItem[] {
  const f = ts.factory;
  const items: ApiItem[] = [];
  for (const m of cls.members) {
    if (hasModifier(m, ts.SyntaxKind.PrivateKeyword) || (m.name && ts.isPrivateIdentifier(m.name))) continue;
    const mods = ts.canHaveModifiers(m) ? ts.getModifiers(m) : undefined;
    const memberName = m.name && !ts.isComputedPropertyName(m.name) ? m.name.getText() : undefined;
    if (ts.isConstructorDeclaration(m)) {
      items.push({
        name: `${className}.constructor`,
        kind: 'constructor',
        signature: print(f.updateConstructorDeclaration(m, mods, m.parameters, undefined)),
      });
    } else if (ts.isMethodDeclaration(m) && memberName) {
      items.push({
        name: `${className}.${memberName}`,
        kind: 'method',
        signature: print(
          f.updateMethodDeclaration(
            m,
            mods,
            m.asteriskToken,
            m.name,
            m.questionToken,
            m.typeParameters,
            m.parameters,
            m.type,
            undefined,
          ),
        ),
      });
    } else if (ts.isPropertyDeclaration(m) && memberName) {
      items.push({
        name: `${className}.${memberName}`,
        kind: 'property',
        signature: print(
          f.updatePropertyDeclaration(
            m,
            mods,
            m.name,
            m.questionToken ?? m.exclamationToken,
            m.type,
            undefined,
          ),
        ),
      });
    } else if (ts.isGetAccessorDeclaration(m) && memberName) {
      items.push({
        name: `${className}.get ${memberName}`,
        kind: 'accessor',
        signature: print(f.updateGetAccessorDeclaration(m, mods, m.name, m.parameters, m.type, undefined)),
      });
    } else if (ts.isSetAccessorDeclaration(m) && memberName) {
      items.push({
        name: `${className}.set ${memberName}`,
        kind: 'accessor',
        signature: print(f.updateSetAccessorDeclaration(m, mods, m.name, m.parameters, undefined)),
      });
    }
  }
  return mergeOverloads(items);
}
