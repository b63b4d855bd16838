// Vitest global set-up of the dashboard suites: the browser tests load the built page the
// server serves, so build it when a source is newer than the build (a fresh install builds it
// already, at `npm run build`).
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')

function newest(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))))
}

export default function buildDashboard(): void {
  const built = join(root, 'dist', 'index.html')
  const sources = Math.max(newest(join(root, 'src')), newest(join(root, 'index.html')), newest(join(root, 'vite.config.ts')), newest(join(root, 'public')))
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return
  execFileSync(join(root, '..', 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
}
