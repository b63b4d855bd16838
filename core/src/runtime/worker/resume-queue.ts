/**
 * Runs resume commands (forks) with a concurrency limit: beyond it they wait in arrival
 * order. A process stops accepting new ones while it drains (a worker shutting down).
 *
 * @example
 * const queue = new ResumeQueue()
 * queue.limit = 1
 * const order: string[] = []
 * queue.submit(async () => void order.push('first'))
 * queue.submit(async () => void order.push('second'))
 * queue.waiting // → 1
 * await queue.idle()
 * order // → ['first', 'second']
 * queue.stopAccepting()
 * queue.submit(async () => void order.push('third')) // → false
 */
export class ResumeQueue {
  /** Most resumes running at once (default: no limit). */
  limit = Number.POSITIVE_INFINITY
  #active = 0
  #completed = 0
  #accepting = true
  readonly #waiting: Array<() => Promise<unknown>> = []
  #idle: Array<() => void> = []

  /** Resumes running now. */
  get active(): number {
    return this.#active
  }

  /** Resumes waiting for a free slot. */
  get waiting(): number {
    return this.#waiting.length
  }

  /** Resumes finished since start. */
  get completed(): number {
    return this.#completed
  }

  get accepting(): boolean {
    return this.#accepting
  }

  /** Queues a resume; false when the process no longer accepts them (it is draining). */
  submit(run: () => Promise<unknown>): boolean {
    if (!this.#accepting) return false
    this.#waiting.push(run)
    this.#next()
    return true
  }

  /** Refuses new resumes from now on (those queued still run). */
  stopAccepting(): void {
    this.#accepting = false
  }

  /** Accepts resumes again. */
  resumeAccepting(): void {
    this.#accepting = true
  }

  /** Resolves when nothing runs or waits. */
  idle(): Promise<void> {
    if (this.#active === 0 && this.#waiting.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  #next(): void {
    while (this.#active < this.limit && this.#waiting.length) {
      const run = this.#waiting.shift()!
      this.#active++
      void run()
        .catch(() => undefined)
        .finally(() => {
          this.#active--
          this.#completed++
          this.#next()
          if (this.#active === 0 && this.#waiting.length === 0) for (const resolve of this.#idle.splice(0)) resolve()
        })
    }
  }
}
