import ts from "typescript";

/*
 * Finds the flows a TypeScript file exports by reading its syntax tree, as `prefect deploy` does with
 * Python's ast: nothing is imported or run, so a script's top-level code (creating runs, writing files)
 * cannot fire while `baton deploy` only looks for flows.
 */

/** A flow a file exports, as far as its source says. */
export interface ScannedFlow {
  exportName: string;
  /** The flow's name when flow() is given it as a literal; undefined when computed at run time. */
  name: string | undefined;
}

/** The first syntax error of `source`, with its line and column, or undefined when it parses. */
function syntaxError(source: ts.SourceFile): string | undefined {
  // A one-file program, only to ask for its parse errors through the public API; nothing is resolved.
  const host: ts.CompilerHost = {
    getSourceFile: (name) => (name === source.fileName ? source : undefined),
    getDefaultLibFileName: () => "lib.d.ts",
    writeFile: () => {},
    getCurrentDirectory: () => "",
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (name) => name === source.fileName,
    readFile: () => undefined,
  };
  const program = ts.createProgram([source.fileName], { noLib: true, noResolve: true, types: [] }, host);
  const [first] = program.getSyntacticDiagnostics(source);
  if (!first) return undefined;
  const { line, character } = source.getLineAndCharacterOfPosition(first.start ?? 0);
  return `syntax error at ${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(first.messageText, " ")}`;
}

const hasExport = (node: ts.Node) => ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** `(flow(...) as X)`, `flow(...)!`, `flow(...) satisfies X` are still that call. */
function unwrap(node: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node)) {
    node = node.expression;
  }
  return node;
}

/**
 * The flows `text` exports: `export const x = flow(...)`, `export default flow(...)`, and local flows
 * exported by `export { x as y }` or `export default x`, where `flow` is imported (perhaps renamed, or
 * through `import * as b`) from a module `isSdk` accepts. A flow exported twice is listed once, by its
 * first named export. Throws a SyntaxError when the file does not parse (importing it would fail too).
 */
export function scanFlows(fileName: string, text: string, isSdk: (specifier: string) => boolean): ScannedFlow[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const error = syntaxError(source);
  if (error !== undefined) throw new SyntaxError(error);

  const flowFns = new Set<string>();
  const namespaces = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || statement.importClause?.isTypeOnly) continue;
    if (!isSdk(statement.moduleSpecifier.text)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) namespaces.add(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) if (!element.isTypeOnly && (element.propertyName ?? element.name).text === "flow") flowFns.add(element.name.text);
    }
  }
  if (flowFns.size === 0 && namespaces.size === 0) return [];

  /** When `node` is a call of the SDK's flow(): the flow's name if it is a literal. */
  const flowCall = (node: ts.Expression): { name: string | undefined } | undefined => {
    const call = unwrap(node);
    if (!ts.isCallExpression(call)) return undefined;
    const callee = unwrap(call.expression);
    const isFlowFn =
      (ts.isIdentifier(callee) && flowFns.has(callee.text)) ||
      (ts.isPropertyAccessExpression(callee) && callee.name.text === "flow" && ts.isIdentifier(callee.expression) && namespaces.has(callee.expression.text));
    if (!isFlowFn) return undefined;
    const first = call.arguments[0];
    return { name: first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) ? first.text : undefined };
  };

  // Each flow defined at the top level (by its local name, or its position for `export default flow(...)`),
  // in source order, with the names it is exported as.
  const flows = new Map<string, { name: string | undefined; exports: string[] }>();
  const exported: { local: string; as: string }[] = [];
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const found = declaration.initializer && ts.isIdentifier(declaration.name) ? flowCall(declaration.initializer) : undefined;
        if (!found || !ts.isIdentifier(declaration.name)) continue;
        flows.set(declaration.name.text, { name: found.name, exports: [] });
        if (hasExport(statement)) exported.push({ local: declaration.name.text, as: declaration.name.text });
      }
    } else if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
      const found = flowCall(statement.expression);
      const value = unwrap(statement.expression);
      if (found) flows.set(`#default@${statement.pos}`, { name: found.name, exports: ["default"] });
      else if (ts.isIdentifier(value)) exported.push({ local: value.text, as: "default" });
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && !statement.isTypeOnly && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        if (!element.isTypeOnly) exported.push({ local: (element.propertyName ?? element.name).text, as: element.name.text });
      }
    }
  }
  // After the loop: `export { x }` may come before `const x = flow(...)`.
  for (const { local, as } of exported) flows.get(local)?.exports.push(as);

  const result: ScannedFlow[] = [];
  for (const { name, exports } of flows.values()) {
    const exportName = exports.find((e) => e !== "default") ?? exports[0];
    if (exportName !== undefined) result.push({ exportName, name });
  }
  return result;
}
