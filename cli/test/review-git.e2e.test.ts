import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'
import { cassetteText, weatherRun } from './hand-made-cassettes.ts'

// `retrace review` and `retrace git-setup` on a real git repository made here: cassettes
// committed, then one changed (prompt and answer), one added, one deleted.

const retraceBin = join(import.meta.dirname, '..', 'bin', 'retrace.js')
// A repository of its own: no user or system git config leaks in.
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Retrace Test',
  GIT_AUTHOR_EMAIL: 'test@retrace.invalid',
  GIT_COMMITTER_NAME: 'Retrace Test',
  GIT_COMMITTER_EMAIL: 'test@retrace.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
}
const dir = '__cassettes__/weather.test.ts'
let project: FixtureProject
let baseCommit: string

const retrace = (...args: string[]) => runInProject(project, process.execPath, [retraceBin, ...args], GIT_ENV)
const git = async (...args: string[]) => {
  const result = await runInProject(project, 'git', args, GIT_ENV)
  expect(result.code, `git ${args.join(' ')}: ${result.output}`).toBe(0)
  return result.output
}

beforeAll(async () => {
  project = createFixtureProject({
    '.gitignore': 'node_modules\n',
    [`${dir}/paris.cassette.json`]: cassetteText(weatherRun()),
    [`${dir}/rome.cassette.json`]: cassetteText(weatherRun({ city: 'Rome' })),
    [`${dir}/oslo.cassette.json`]: cassetteText(weatherRun({ city: 'Oslo' })),
  })
  await git('init', '-q', '-b', 'main')
  await git('add', '.')
  await git('commit', '-q', '-m', 'golden cassettes')
  baseCommit = (await git('rev-parse', 'HEAD')).trim()
  // The pull request: Paris now asks about Lyon and answers differently; Berlin is new
  // (untracked), Madrid is new (staged); Oslo is gone; Rome is untouched.
  project.write(`${dir}/paris.cassette.json`, cassetteText(weatherRun({ question: 'What is the weather in Lyon?', city: 'Lyon', answer: 'The weather in Lyon is sunny, 19 °C.' })))
  project.write(`${dir}/berlin.cassette.json`, cassetteText(weatherRun({ city: 'Berlin' })))
  project.write(`${dir}/madrid.cassette.json`, cassetteText(weatherRun({ city: 'Madrid' })))
  await git('add', `${dir}/madrid.cassette.json`)
  rmSync(join(project.dir, dir, 'oslo.cassette.json'))
})

describe('retrace review', () => {
  test('one markdown report: a headline table and a collapsible step-by-step diff per changed cassette', async () => {
    const result = await retrace('review', '--base', baseCommit)
    expect(result.code, result.output).toBe(0)
    const report = result.output
    expect(report).toContain('## Retrace cassette review')
    expect(report).toContain(`4 cassette(s) changed against \`${baseCommit}\`: 1 diverged · 2 added · 1 deleted.`)
    expect(report).toMatch(/\| `__cassettes__\/weather\.test\.ts\/paris\.cassette\.json` \| ❌ diverged \| 0 \| 0 \| 0 \|/)
    expect(report).toContain('| `__cassettes__/weather.test.ts/berlin.cassette.json` | 🆕 added | +231 | +$0.000043 | +2 |')
    expect(report).toContain('| `__cassettes__/weather.test.ts/madrid.cassette.json` | 🆕 added |')
    expect(report).toContain('| `__cassettes__/weather.test.ts/oslo.cassette.json` | 🗑️ deleted | -231 | -$0.000043 | -2 |')
    expect(report).not.toContain('rome.cassette.json')
    expect(report.match(/<details>/g)).toHaveLength(4)
    const paris = report.slice(report.indexOf('<summary>❌ diverged: __cassettes__/weather.test.ts/paris.cassette.json</summary>'))
    expect(paris).toContain('**Diverged at step 1 (arguments layer')
    expect(paris).toContain('~ $.messages[0].content: What is the weather in [-Paris-]{+Lyon+}?')
    expect(paris).toContain('Step 1, tool call get_weather: $.arguments.city changed from "Paris" to "Lyon".')
    expect(paris).toContain('~ text: The weather in [-Paris-]{+Lyon+} is sunny, [-18-]{+19+} °C.')
  })

  test('without --base it compares with main, and --json --output writes the data to a file', async () => {
    const markdown = await retrace('review')
    expect(markdown.code).toBe(0)
    expect(markdown.output).toContain('4 cassette(s) changed against `main` (')
    const written = await retrace('review', '--json', '--output', 'reports/review.json')
    expect(written.code).toBe(0)
    expect(written.output).toContain('Reviewed 4 changed cassette(s) against main (1 diverged, 2 added, 1 deleted); wrote reports/review.json.')
    const report = JSON.parse(project.read('reports/review.json')) as { base: { ref: string; commit: string }; entries: Array<{ path: string; verdict: string }> }
    expect(report.base).toEqual({ ref: 'main', commit: baseCommit })
    expect(report.entries.map((entry) => `${entry.verdict} ${entry.path.split('/').at(-1)}`)).toEqual([
      'diverged paris.cassette.json',
      'added berlin.cassette.json',
      'added madrid.cassette.json',
      'deleted oslo.cassette.json',
    ])
  })

  test('an unknown ref, or a folder outside any repository, is a usage error (exit 5)', async () => {
    const unknown = await retrace('review', '--base', 'origin/no-such-branch')
    expect(unknown.code).toBe(5)
    expect(unknown.output).toContain('Unknown git ref "origin/no-such-branch"')
    const outside = mkdtempSync(join(tmpdir(), 'retrace-no-git-'))
    const result = await retrace('review', '--cwd', outside)
    rmSync(outside, { recursive: true, force: true })
    expect(result.code).toBe(5)
    expect(result.output).toContain('retrace: review needs a git repository')
  })
})

describe('retrace git-setup', () => {
  test('installs the diff driver once; git diff and git log -p then show cassettes as timelines', async () => {
    const before = await retrace('git-setup', '--check')
    expect(before.code).toBe(2)
    expect(before.output).toContain('Run retrace git-setup to install the cassette diff driver.')
    const raw = await git('diff', '--', `${dir}/paris.cassette.json`)
    expect(raw).toContain('"content": "What is the weather in Lyon?"')

    writeFileSync(join(project.dir, '.gitattributes'), '*.png binary')
    const setup = await retrace('git-setup')
    expect(setup.code).toBe(0)
    expect(setup.output).toContain('added "*.cassette.json diff=retrace"')
    const again = await retrace('git-setup')
    expect(again.output).toContain('already has "*.cassette.json diff=retrace"')
    expect(project.read('.gitattributes')).toBe('*.png binary\n*.cassette.json diff=retrace\n')
    expect((await git('config', '--get', 'diff.retrace.textconv')).trim()).toBe('npx --no-install retrace cassette show --textconv')
    // Hunk headers name the step a change is in.
    expect((await git('config', '--get', 'diff.retrace.xfuncname')).trim()).toBe('^#[0-9]+ .*$')
    const check = await retrace('git-setup', '--check', '--json')
    expect(check.code).toBe(0)
    expect(JSON.parse(check.output)).toEqual({ installed: true, attribute: true, textconv: 'npx --no-install retrace cassette show --textconv' })

    // git runs the textconv command itself: npx finds this project's retrace.
    const diff = await git('diff', '--', `${dir}/paris.cassette.json`)
    expect(diff).toContain('-     > user: What is the weather in Paris?')
    expect(diff).toContain('+     > user: What is the weather in Lyon?')
    expect(diff).toContain('+     < text: The weather in Lyon is sunny, 19 °C.')
    expect(diff).not.toContain('"content":')

    await git('add', `${dir}/paris.cassette.json`)
    await git('commit', '-q', '-m', 'ask about Lyon')
    const log = await git('log', '-p', '-1', '--', `${dir}/paris.cassette.json`)
    expect(log).toContain('ask about Lyon')
    expect(log).toContain('+     < call get_weather {"city":"Lyon"}')
  }, 60_000)
})
