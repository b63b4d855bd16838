import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { readCassetteFile, type Cassette } from '@retrace/cassettes'
import { UsageError } from '../usage-error.ts'

/**
 * Reads a cassette named on the command line. A path that is not a file is a `UsageError`
 * (exit 5); a file that is not a usable cassette is a `CassetteFormatError` with the fix (exit 2).
 *
 * @example
 * const cassette = loadCassette('__cassettes__/agent.test.ts/books.cassette.json', process.cwd())
 */
export function loadCassette(file: string, cwd: string): Cassette {
  const path = resolve(cwd, file)
  if (!existsSync(path)) throw new UsageError(`No such file: ${file}. Pass the path of a .cassette.json file.`)
  if (statSync(path).isDirectory()) throw new UsageError(`${file} is a folder: pass the path of a .cassette.json file.`)
  return readCassetteFile(path)!
}
