import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'

const root = join(import.meta.dirname, '..', '..')

/** Runs a command, collecting its output; resolves with its exit code (or when `until` matches the output). */
function run(command: string, args: string[], options: { cwd: string; until?: RegExp; timeoutMs: number }) {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const matched = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out; output so far:\n${out}`)), options.timeoutMs)
    const check = () => {
      if (options.until?.test(out)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout.on('data', check)
    void exited.then(() => {
      clearTimeout(timer)
      if (!options.until) resolve()
      else if (!options.until.test(out)) reject(new Error(`exited before ${options.until}; output:\n${out}`))
    })
  })
  return { child, exited, matched, output: () => out }
}

const DASHBOARD = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/
const SHARE = /Share link: (http:\/\/127\.0\.0\.1:\d+\/s\/(rts_[A-Za-z0-9_-]{43}))/

// `npm run demo`: what it showed before (record, replay offline, a changed prompt refused),
// then the server with the dashboard, the agent recorded into it by the SDK, a fork, a sweep
// and a sensitivity analysis, and a share link.
describe('npm run demo', () => {
  test('--once prints everything, the dashboard URL and a share link, and exits 0', async () => {
    const demo = run('npm', ['run', 'demo', '--', '--once'], { cwd: root, timeoutMs: 170_000 })
    await demo.matched
    expect(await demo.exited, demo.output()).toBe(0)
    const out = demo.output()
    expect(out).toContain('✔ identical to the recorded run')
    expect(out).toContain('does not match any recorded request')
    expect(out).toContain('recorded 2 runs of weather-agent with the SDK')
    expect(out).toMatch(/▶ Forked at step 1 with "What is the weather in Oslo\?": diverged from step 1/)
    expect(out).toContain('▶ Sweep of 3 variants (3 at a time): Oslo diverged, Rome diverged, Tokyo diverged')
    expect(out).toMatch(/▶ Sensitivity \(4 perturbations\): score \d\.\d\d, flip rate \d+%, per step 1: \d+%/)
    expect(out).toMatch(DASHBOARD)
    expect(out).toMatch(SHARE)
    expect(out).not.toMatch(/"level":[45]0/) // no warning or error logged
  }, 180_000)

  test('without --once it stays up: the dashboard and the share link answer until Ctrl-C', async () => {
    const demo = run(join(root, 'node_modules', '.bin', 'node'), ['--conditions=@retrace/source', 'demo.ts'], { cwd: join(root, 'examples', 'weather-agent'), until: /Ctrl-C stops the server/, timeoutMs: 170_000 })
    await demo.matched
    const out = demo.output()
    const dashboard = DASHBOARD.exec(out)![1]!
    const [, shareUrl, token] = SHARE.exec(out)!
    const page = await fetch(dashboard)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<title>Retrace</title>')
    expect((await fetch(shareUrl!)).headers.get('x-robots-tag')).toBe('noindex, nofollow')
    const shared = (await (await fetch(new URL(`/api/v1/shared/${token}`, dashboard))).json()) as { trace: { name: string; status: string } }
    expect(shared.trace).toMatchObject({ name: 'weather-agent', status: 'completed' })
    demo.child.kill('SIGINT')
    expect(await demo.exited).toBe(0)
    await expect(fetch(dashboard)).rejects.toThrow()
  }, 180_000)
})
