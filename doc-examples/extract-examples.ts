import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { API } from 'typescript/unstable/sync'
import { SyntaxKind, type Node, type SourceFile } from 'typescript/unstable/ast'

// Finds the `@example` blocks of a package's public declarations with the TypeScript 7 compiler
// itself: its API (`typescript/unstable/sync`, the tsgo process) parses each source file, and
// the AST says which JSDoc block belongs to which declaration and whether it is exported. A
// regular expression over comments could not tell an exported function from a local one.

export const repoRoot = join(import.meta.dirname, '..')

/** One `@example` block, as written. */
export interface DocExample {
  /** The package folder (`core`), or `test-support`. */
  folder: string
  /** Repository-relative path of the file, `core/src/runtime/transport/http-client.ts`. */
  file: string
  /** The documented declaration: `retryAfterSeconds`, `WebSocketChannel.send`. */
  symbol: string
  /** 1-based line of the block's first line of code. */
  line: number
  /**
   * The block's lines from `line` on, each with its JSDoc margin (` * `) turned into spaces,
   * so a column in a line is the column in the file.
   */
  lines: string[]
  /** On an interface or a type (or one of their members): nothing to call, so it is not run. */
  onType: boolean
}

/** An exported function, class or const, and whether its JSDoc has an `@example`. */
export interface PublicDeclaration {
  file: string
  symbol: string
  line: number
  hasExample: boolean
}

/** What one source file holds: its examples, and the names of its exported values. */
export interface ExtractedFile {
  file: string
  examples: DocExample[]
  declarations: PublicDeclaration[]
  /**
   * Exported runtime values (functions, classes, consts, enums): what an example may use
   * unimported. A default export is `default:Name`.
   */
  valueExports: string[]
}

/**
 * The source files of a package folder (`core` → `core/src/**`, `.ts` and `.tsx`, tests left
 * out; `test-support` → its own files), parsed by TypeScript, with their examples and public
 * declarations.
 *
 * @example
 * const files = extractExamples('protocol')
 * files.flatMap((file) => file.examples).map((example) => `${example.file}:${example.line} ${example.symbol}`)
 */
export function extractExamples(folder: string): ExtractedFile[] {
  const api = new API({ cwd: repoRoot })
  try {
    const sourceFiles = sourceFilesOf(api, folder)
    return sourceFiles.map((sourceFile) => readFile(folder, sourceFile))
  } finally {
    api.close()
  }
}

function sourceFilesOf(api: API, folder: string): SourceFile[] {
  // `.tsx` too: the dashboard's components (JSX), whose examples render them.
  const isSource = (name: string) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts')
  if (folder === 'test-support') {
    // Not a package: no tsconfig of its own, so its files are opened one by one.
    const files = readdirSync(join(repoRoot, folder)).filter(isSource).map((name) => join(repoRoot, folder, name))
    const snapshot = api.updateSnapshot({ openFiles: files })
    return files.map((file) => snapshot.getDefaultProjectForFile(file)!.program.getSourceFile(file)!)
  }
  const config = join(repoRoot, folder, 'tsconfig.json')
  const snapshot = api.updateSnapshot({ openProjects: [config] })
  const program = snapshot.getProject(config)!.program
  const sources = join(repoRoot, folder, 'src') + '/'
  return program
    .getSourceFileNames()
    .filter((name) => name.startsWith(sources) && isSource(name))
    .sort()
    .map((name) => program.getSourceFile(name)!)
}

function readFile(folder: string, sourceFile: SourceFile): ExtractedFile {
  const file = relative(repoRoot, sourceFile.fileName)
  const result: ExtractedFile = { file, examples: [], declarations: [], valueExports: [] }
  for (const statement of sourceFile.statements) {
    // `declare module 'vitest' { interface Matchers … }`: types added to another package.
    if (statement.kind === SyntaxKind.ModuleDeclaration) {
      for (const inner of moduleStatements(statement)) {
        for (const member of membersOf(inner)) result.examples.push(...examplesOf(member, sourceFile, folder, file, `${declaredNames(inner).join(', ')}.${memberName(member)}`, true))
      }
      continue
    }
    if (!isExported(statement)) continue
    const names = declaredNames(statement)
    // (An overloaded function is one export, declared once per signature.)
    if (isValue(statement)) for (const name of names.map((name) => (isDefault(statement) ? `default:${name}` : name))) if (!result.valueExports.includes(name)) result.valueExports.push(name)
    const symbol = names.join(', ') || '(anonymous)'
    const examples = examplesOf(statement, sourceFile, folder, file, symbol)
    result.examples.push(...examples)
    if (isCallable(statement)) {
      // Overloads are one function: an example on any of its signatures counts.
      const overload = result.declarations.find((declaration) => declaration.symbol === symbol)
      if (overload) overload.hasExample ||= examples.length > 0
      else result.declarations.push({ file, symbol, line: lineOf(sourceFile, statement.getStart(sourceFile)), hasExample: examples.length > 0 })
    }
    // Members of an exported class or interface are public too (private and #private ones aside).
    for (const member of membersOf(statement)) {
      if (isPrivate(member)) continue
      result.examples.push(...examplesOf(member, sourceFile, folder, file, `${symbol}.${memberName(member)}`, isType(statement)))
    }
  }
  return result
}

function examplesOf(node: Node, sourceFile: SourceFile, folder: string, file: string, symbol: string, onType = isType(node)): DocExample[] {
  const examples: DocExample[] = []
  for (const doc of node.jsDoc ?? []) {
    for (const tag of (doc as unknown as { tags?: readonly TagNode[] }).tags ?? []) {
      if (tag.tagName.text !== 'example') continue
      const block = exampleLines(sourceFile, tag)
      if (block) examples.push({ folder, file, symbol, ...block, onType })
    }
  }
  return examples
}

interface TagNode extends Node {
  readonly tagName: { readonly text: string }
}

/** The lines of an `@example` tag after the tag name, margins blanked; `undefined` when empty. */
function exampleLines(sourceFile: SourceFile, tag: TagNode): { line: number; lines: string[] } | undefined {
  const text = sourceFile.text
  const lineStarts = sourceFile.getLineStarts()
  const first = sourceFile.getLineAndCharacterOfPosition(tag.getStart(sourceFile)).line
  const last = sourceFile.getLineAndCharacterOfPosition(Math.max(tag.getStart(sourceFile), tag.end - 1)).line
  const lines: string[] = []
  for (let index = first; index <= last; index++) {
    const raw = text.slice(lineStarts[index], index + 1 < lineStarts.length ? lineStarts[index + 1] : text.length).replace(/\r?\n$/, '')
    // The comment's end goes first (`*/` must not read as a margin), then ` * code` → `   code`;
    // the tag's own line keeps what follows `@example` (a caption or code).
    let line = raw.replace(/\s*\*\/\s*$/, '')
    line = line.replace(/^(\s*)\*( ?)/, (_margin, indent: string, space: string) => `${indent} ${space}`)
    if (index === first) line = line.replace(/^(.*?)@example/, (_all, before: string) => ' '.repeat(before.length + '@example'.length))
    else if (/^\s*@\w/.test(line)) break // The next tag (`@returns …`) ends the example.
    lines.push(line)
  }
  // Leading blank lines (the tag alone on its line) are not part of the code.
  let start = 0
  while (start < lines.length && lines[start]!.trim() === '') start++
  let end = lines.length
  while (end > start && lines[end - 1]!.trim() === '') end--
  if (start === end) return undefined
  return { line: first + start + 1, lines: lines.slice(start, end) }
}

function lineOf(sourceFile: SourceFile, position: number): number {
  return sourceFile.getLineAndCharacterOfPosition(position).line + 1
}

function modifiersOf(node: Node): readonly Node[] {
  return (node as unknown as { modifiers?: readonly Node[] }).modifiers ?? []
}

function isExported(node: Node): boolean {
  return modifiersOf(node).some((modifier) => modifier.kind === SyntaxKind.ExportKeyword)
}

function isDefault(node: Node): boolean {
  return modifiersOf(node).some((modifier) => modifier.kind === SyntaxKind.DefaultKeyword)
}

function isPrivate(node: Node): boolean {
  if ((node as unknown as { name?: Node }).name?.kind === SyntaxKind.PrivateIdentifier) return true
  return modifiersOf(node).some((modifier) => modifier.kind === SyntaxKind.PrivateKeyword || modifier.kind === SyntaxKind.ProtectedKeyword)
}

function isType(node: Node): boolean {
  return node.kind === SyntaxKind.InterfaceDeclaration || node.kind === SyntaxKind.TypeAliasDeclaration
}

function isValue(node: Node): boolean {
  return node.kind === SyntaxKind.FunctionDeclaration || node.kind === SyntaxKind.ClassDeclaration || node.kind === SyntaxKind.VariableStatement || node.kind === SyntaxKind.EnumDeclaration
}

/** A function, a class, or a const holding a function: what the house rule wants an example on. */
function isCallable(node: Node): boolean {
  if (node.kind === SyntaxKind.FunctionDeclaration || node.kind === SyntaxKind.ClassDeclaration) return true
  if (node.kind !== SyntaxKind.VariableStatement) return false
  return declarationsOf(node).some((declaration) => {
    const initializer = (declaration as unknown as { initializer?: Node }).initializer
    return initializer?.kind === SyntaxKind.ArrowFunction || initializer?.kind === SyntaxKind.FunctionExpression
  })
}

function declarationsOf(statement: Node): readonly Node[] {
  return (statement as unknown as { declarationList: { declarations: readonly Node[] } }).declarationList.declarations
}

function declaredNames(statement: Node): string[] {
  if (statement.kind === SyntaxKind.VariableStatement) {
    return declarationsOf(statement).flatMap((declaration) => {
      const name = (declaration as unknown as { name: Node & { text?: string } }).name
      return name.kind === SyntaxKind.Identifier && name.text ? [name.text] : []
    })
  }
  const name = (statement as unknown as { name?: { text?: string } }).name?.text
  return name ? [name] : []
}

function moduleStatements(statement: Node): readonly Node[] {
  const body = (statement as unknown as { body?: Node & { statements?: readonly Node[] } }).body
  return body?.statements ?? []
}

function membersOf(statement: Node): readonly Node[] {
  if (statement.kind !== SyntaxKind.ClassDeclaration && statement.kind !== SyntaxKind.InterfaceDeclaration) return []
  return (statement as unknown as { members: readonly Node[] }).members
}

function memberName(member: Node): string {
  if (member.kind === SyntaxKind.Constructor) return 'constructor'
  const name = (member as unknown as { name?: Node & { text?: string } }).name
  return name?.text ?? '(member)'
}
