import { constants as bufferConstants, isUtf8 } from 'node:buffer'
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs'
import { CassetteFormatError } from '../errors/cassette-format-error.ts'
import { jsonPathAt, textPosition } from './text-position.ts'

/** What reading a cassette's bytes gave. */
export type CassetteText =
  | { kind: 'missing' }
  | { kind: 'text'; text: string }
  /** Not usable; `text` is the lossy text when the file was read (so a leak in it can still be found). */
  | { kind: 'error'; error: CassetteFormatError; text?: string }

const RESTORE_HINT = 'Restore it from git (`git checkout -- <file>`), or delete it and record again. The file was not changed.'

/**
 * Reads a cassette file's text without ever blocking on something that is not a file: it is
 * opened non-blocking (a FIFO would otherwise wait for a writer forever), checked to be a
 * regular file (not a folder, a device such as `/dev/zero`, a socket), read up to its size,
 * and decoded as strict UTF-8 (invalid bytes are an error naming their line and JSON path, not
 * a silent U+FFFD). A UTF-8 byte order mark is skipped.
 *
 * @example
 * import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const dir = mkdtempSync(join(tmpdir(), 'cassettes-'))
 * writeFileSync(join(dir, 'agent.cassette.json'), '\uFEFF{ "version": 1, "interactions": [] }')
 * readCassetteText(join(dir, 'agent.cassette.json')) // → { kind: 'text', text: '{ "version": 1, "interactions": [] }' }
 * readCassetteText(join(dir, 'none.cassette.json')) // → { kind: 'missing' }
 * mkdirSync(join(dir, 'folder.cassette.json'))
 * readCassetteText(join(dir, 'folder.cassette.json')).kind // → 'error'
 */
export function readCassetteText(file: string): CassetteText {
  let fd: number
  try {
    // O_NONBLOCK only changes how FIFOs and devices open; Windows has no such flag.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return danglingLink(file) ?? { kind: 'missing' }
    if (code === 'EISDIR') return { kind: 'error', error: notAFile(file, 'a folder') }
    return { kind: 'error', error: unreadable(file, error) }
  }
  let bytes: Buffer
  try {
    const stats = fstatSync(fd)
    if (!stats.isFile()) return { kind: 'error', error: notAFile(file, describeNonFile(stats)) }
    if (stats.size > bufferConstants.MAX_STRING_LENGTH) {
      return {
        kind: 'error',
        error: new CassetteFormatError({
          file,
          problem: 'too-large',
          detail: `it is ${stats.size} bytes, more than the ${bufferConstants.MAX_STRING_LENGTH} characters Node can hold in one string.`,
          hint: 'A cassette this large was not written by Retrace: point Retrace at another file name, or split the run into several cassettes.',
        }),
      }
    }
    bytes = readExactly(fd, stats.size)
  } catch (error) {
    return { kind: 'error', error: unreadable(file, error) }
  } finally {
    closeSync(fd)
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
  if (!isUtf8(bytes)) {
    const text = bytes.toString('utf8', bom)
    return { kind: 'error', error: invalidUtf8(file, bytes, bom), text }
  }
  return { kind: 'text', text: bytes.toString('utf8', bom) }
}

/** Reads the `size` bytes fstat reported: a file that keeps growing is not read forever. */
function readExactly(fd: number, size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size)
  let filled = 0
  while (filled < size) {
    const read = readSync(fd, bytes, filled, size - filled, null)
    if (read === 0) break
    filled += read
  }
  return filled === size ? bytes : bytes.subarray(0, filled)
}

function danglingLink(file: string): CassetteText | undefined {
  try {
    if (!lstatSync(file).isSymbolicLink()) return undefined
  } catch {
    return undefined
  }
  return { kind: 'error', error: notAFile(file, 'a symbolic link to a file that does not exist') }
}

function describeNonFile(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder'
  if (stats.isFIFO()) return 'a FIFO (named pipe)'
  if (stats.isCharacterDevice()) return 'a character device (such as /dev/zero)'
  if (stats.isBlockDevice()) return 'a block device'
  if (stats.isSocket()) return 'a socket'
  return 'not a regular file'
}

function notAFile(file: string, what: string): CassetteFormatError {
  return new CassetteFormatError({
    file,
    problem: 'not-a-file',
    detail: `it is ${what}, not a regular file.`,
    hint: 'A cassette is a regular JSON file: remove or rename what is at this path (a link must point to a regular file), or point Retrace at another file name.',
  })
}

function unreadable(file: string, error: unknown): CassetteFormatError {
  return new CassetteFormatError({
    file,
    problem: 'unreadable',
    detail: `it could not be read (${(error as Error).message}).`,
    hint: 'Check the file permissions, or that the path is a regular file.',
    cause: error,
  })
}

function invalidUtf8(file: string, bytes: Buffer, bom: number): CassetteFormatError {
  const at = firstInvalidUtf8Byte(bytes, bom)
  // Everything before the bad byte is valid UTF-8, so its decoded length is the text offset.
  const before = bytes.toString('utf8', bom, at)
  const lossy = before + bytes.toString('utf8', at)
  const position = textPosition(lossy, before.length)
  const path = jsonPathAt(lossy, before.length)
  return new CassetteFormatError({
    file,
    problem: 'invalid-utf8',
    path,
    line: position.line,
    column: position.column,
    detail: `it is not valid UTF-8: byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at ${position.label} (byte ${at})${path === '$' ? '' : `, in ${path}`} would read as U+FFFD.`,
    hint: `Cassettes are UTF-8. An editor saved it in another encoding, or the bytes were damaged: re-save it as UTF-8 or fix that value. ${RESTORE_HINT}`,
  })
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8Byte(bytes: Uint8Array, from: number): number {
  let i = from
  while (i < bytes.length) {
    const byte = bytes[i]!
    if (byte < 0x80) {
      i++
      continue
    }
    let length: number
    let min = 0x80
    let max = 0xbf
    if (byte >= 0xc2 && byte <= 0xdf) length = 2
    else if (byte >= 0xe0 && byte <= 0xef) {
      length = 3
      if (byte === 0xe0) min = 0xa0 // overlong
      if (byte === 0xed) max = 0x9f // UTF-16 surrogates
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      length = 4
      if (byte === 0xf0) min = 0x90 // overlong
      if (byte === 0xf4) max = 0x8f // beyond U+10FFFF
    } else return i
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k]
      if (next === undefined || next < (k === 1 ? min : 0x80) || next > (k === 1 ? max : 0xbf)) return i
    }
    i += length
  }
  return bytes.length
}
