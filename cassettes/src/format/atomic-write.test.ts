import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { writeFileAtomically } from './atomic-write.ts'

const tempDir = () => mkdtempSync(join(tmpdir(), 'retrace-atomic-'))

/** A process id that no process has: one that just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''])
  return child.pid!
}

// A writer that is alive for the whole test, as another test worker recording would be.
const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' })
afterAll(() => void alive.kill())

describe('temporary files a killed writer left behind', () => {
  test('are removed on the next write of that cassette, and only those', async () => {
    const dir = tempDir()
    const file = join(dir, 'run.cassette.json')
    const left = `run.cassette.json.${deadPid()}.0a1b2c3d.tmp`
    const writing = `run.cassette.json.${alive.pid}.4e5f6a7b.tmp`
    const others = [
      `other.cassette.json.${deadPid()}.0a1b2c3d.tmp`, // another cassette's: its own next write cleans it
      'run.cassette.json.backup.tmp', // not a name our writer makes
      'run.cassette.json.notes',
    ]
    for (const name of [left, writing, ...others]) writeFileSync(join(dir, name), '{"version": 1, "interac')

    await writeFileAtomically(file, '{"version": 1, "interactions": []}\n')

    expect(existsSync(join(dir, left))).toBe(false)
    expect(readdirSync(dir).sort()).toEqual(['run.cassette.json', writing, ...others].sort())
  })

  test('a live writer’s file is kept while fresh, and removed once an hour old (a recycled pid)', async () => {
    const dir = tempDir()
    const file = join(dir, 'run.cassette.json')
    const stale = join(dir, `run.cassette.json.${alive.pid}.aaaaaaaa.tmp`)
    writeFileSync(stale, '{')
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000)
    utimesSync(stale, twoHoursAgo, twoHoursAgo)
    await writeFileAtomically(file, '{}\n')
    expect(existsSync(stale)).toBe(false)
  })

  test('concurrent writes of the same file in one process never remove each other’s files', async () => {
    const file = join(tempDir(), 'run.cassette.json')
    const texts = Array.from({ length: 20 }, (_, i) => `{"n": ${i}}\n`)
    await Promise.all(texts.map((text) => writeFileAtomically(file, text)))
    expect(readdirSync(join(file, '..'))).toEqual(['run.cassette.json'])
  })
})
