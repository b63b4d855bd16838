import { execFileSync } from 'node:child_process'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { createFixtureProject, runInProject } from '../../test-support/fixture-project.ts'
import { cassetteText, weatherRun } from './hand-made-cassettes.ts'

// `retrace cassette lint` on paths that are not cassettes, or not even files: each is refused
// at once with the reason and the fix, as replay refuses it. Run from the sources in a child
// process with a time limit, because a FIFO or /dev/zero used to hang lint for ever.

const retraceSource = join(import.meta.dirname, '..', 'src', 'bin', 'retrace.ts')

describe.runIf(process.platform !== 'win32')('retrace cassette lint on what is not a regular UTF-8 JSON file', () => {
  test('a folder, a FIFO, a link to /dev/zero, a dangling link, bad UTF-8 and a duplicate key: exit 2, each named with its fix', async () => {
    const valid = cassetteText(weatherRun())
    const project = createFixtureProject({
      '__cassettes__/ok.cassette.json': valid,
      '__cassettes__/duplicate.cassette.json': valid.replace('"version": 1,', '"version": 1,\n  "version": 1,'),
    })
    const dir = join(project.dir, '__cassettes__')
    mkdirSync(join(dir, 'folder.cassette.json'))
    execFileSync('mkfifo', [join(dir, 'fifo.cassette.json')])
    symlinkSync('/dev/zero', join(dir, 'zero.cassette.json'))
    symlinkSync(join(dir, 'gone.json'), join(dir, 'dangling.cassette.json'))
    writeFileSync(join(dir, 'latin1.cassette.json'), Buffer.from(valid.replace('weather in Paris', 'météo à Paris'), 'latin1'))

    const result = await runInProject(project, process.execPath, ['--conditions=@retrace/source', retraceSource, 'cassette', 'lint'], {}, 30_000)

    expect(result.code).toBe(2)
    expect(result.output).toContain('7 cassette(s) checked: 0 with a secret, 6 invalid.')
    expect(result.output).toContain('✗ __cassettes__/folder.cassette.json\n    invalid $: it is a folder, not a regular file.\n      fix: A cassette is a regular JSON file')
    expect(result.output).toContain('✗ __cassettes__/fifo.cassette.json\n    invalid $: it is a FIFO (named pipe), not a regular file.')
    expect(result.output).toContain('✗ __cassettes__/zero.cassette.json\n    invalid $: it is a character device (such as /dev/zero), not a regular file.')
    expect(result.output).toContain('✗ __cassettes__/dangling.cassette.json\n    invalid $: it is a symbolic link to a file that does not exist')
    expect(result.output).toMatch(/✗ __cassettes__\/latin1\.cassette\.json\n {4}invalid \$\.run\.result: it is not valid UTF-8: byte 0xe9 at line \d+, column \d+/)
    expect(result.output).toMatch(/✗ __cassettes__\/duplicate\.cassette\.json\n {4}invalid \$: the object at \$ has the key "version" twice \(the second at line 3, column 3\)/)
    expect(result.output).not.toContain('ok.cassette.json')
  })

  test('a folder named *.cassette.json given as the path is checked as the cassette it claims to be', async () => {
    const project = createFixtureProject({})
    mkdirSync(join(project.dir, 'run.cassette.json'))
    const result = await runInProject(project, process.execPath, ['--conditions=@retrace/source', retraceSource, 'cassette', 'lint', 'run.cassette.json'], {}, 30_000)
    expect(result.code).toBe(2)
    expect(result.output).toContain('1 cassette(s) checked: 0 with a secret, 1 invalid.')
  })
})
