/**
 * The length of every function in a TypeScript file, measured with the
 * TypeScript compiler's parser: from the line of its first token (its JSDoc
 * excluded) to the line of its closing brace, nested functions included.
 */
import ts from "typescript";

/** One function, method, accessor, constructor or arrow function. */
export interface FunctionLength {
  /** File, as given. */
  file: string;
  /** Name (`Class.method`, the variable of an arrow function, or `<anonymous>`). */
  name: string;
  /** First line (1-based). */
  line: number;
  /** Lines from its first token to its last. */
  lines: number;
}

function nameOf(node: ts.Node, sf: ts.SourceFile): string {
  const own = (node as { name?: ts.Node }).name;
  if (ts.isConstructorDeclaration(node)) return `${classOf(node)}constructor`;
  if (own && (ts.isIdentifier(own) || ts.isStringLiteral(own) || ts.isPrivateIdentifier(own))) {
    return ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)
      ? `${classOf(node)}${own.text}`
      : own.text;
  }
  const p = node.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p)) && ts.isIdentifier(p.name)) {
    return p.name.text;
  }
  return `<anonymous>@${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
}

function classOf(node: ts.Node): string {
  const c = node.parent;
  return c && ts.isClassLike(c) && c.name ? `${c.name.text}.` : "";
}

/**
 * Every function-like node of a source text with its length in lines.
 *
 * @param file The file's name (reported as given).
 * @param text Its TypeScript source.
 */
export function functionLengths(file: string, text: string): FunctionLength[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: FunctionLength[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && (node as { body?: ts.Node }).body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ file, name: nameOf(node, sf), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Every `.ts` file under `dir` (relative to the repository root), sorted. */
export async function tsFiles(root: URL, dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for await (const e of Deno.readDir(new URL(rel, root))) {
      const path = `${rel}/${e.name}`;
      if (e.isDirectory) await walk(path);
      else if (e.isFile && e.name.endsWith(".ts")) out.push(path);
    }
  };
  await walk(dir);
  return out.sort();
}
