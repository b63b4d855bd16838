import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { readCassetteFile, writeCassetteFile } from '@retrace/cassettes'
import { createFixtureProject, runInProject, type FixtureProject } from '../../../test-support/fixture-project.ts'
import { everyShape } from './fixture-cassettes.ts'

// The built `retrace` binary (run `npm run build` first), spawned on files in a project
// folder: one export, one import, and the exit codes for bad input and bad usage.

const retraceBin = join(import.meta.dirname, '..', '..', 'bin', 'retrace.js')
let project: FixtureProject

beforeAll(async () => {
  project = createFixtureProject({})
  await writeCassetteFile(join(project.dir, '__cassettes__', 'run.cassette.json'), everyShape)
})

const retrace = (...args: string[]) => runInProject(project, process.execPath, [retraceBin, ...args])

describe('the built retrace binary', () => {
  test('export har prints the HAR; import har brings it back exactly', async () => {
    const exported = await retrace('export', 'har', '__cassettes__/run.cassette.json')
    expect(exported.code).toBe(0)
    const har = JSON.parse(exported.output)
    expect(har.log.version).toBe('1.2')
    expect(har.log.entries).toHaveLength(everyShape.interactions.length)
    writeFileSync(join(project.dir, 'run.har'), exported.output)

    const imported = await retrace('import', 'har', 'run.har', '-o', '__cassettes__/back.cassette.json')
    expect(imported.output).toBe('Imported 6 interaction(s) (3 LLM step(s)) from run.har into __cassettes__/back.cassette.json.\n')
    expect(imported.code).toBe(0)
    expect(readCassetteFile(join(project.dir, '__cassettes__', 'back.cassette.json'))).toEqual(everyShape)
  })

  test('an unusable input exits 2, a bad flag 5', async () => {
    writeFileSync(join(project.dir, 'defs.json'), JSON.stringify([{ scope: 'https://a.example', path: '/' }]))
    const bad = await retrace('import', 'nock', 'defs.json')
    expect(bad.code).toBe(2)
    expect(bad.output).toContain('defs.json is not usable as nock definitions: $[0].method:')
    const flag = await retrace('export', 'har', '__cassettes__/run.cassette.json', '--format', 'x')
    expect(flag.code).toBe(5)
    expect(flag.output).toContain("unknown option '--format'")
  })
})
