/**
 * A first-in first-out queue with O(1) push and shift (an array and a head index, compacted
 * now and then), and `unshift` for putting items back in front.
 *
 * @example
 * const queue = new FifoQueue<number>()
 * queue.push(1)
 * queue.push(2)
 * queue.shift() // → 1
 * queue.unshift([0])
 * queue.length // → 2
 * queue.shift() // → 0
 */
export class FifoQueue<T> {
  #items: T[] = []
  #head = 0

  get length(): number {
    return this.#items.length - this.#head
  }

  push(item: T): void {
    this.#items.push(item)
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined
    const item = this.#items[this.#head]!
    this.#items[this.#head] = undefined as T
    this.#head++
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return item
  }

  /** Puts items back in front, in the order given (the first comes out first). */
  unshift(items: readonly T[]): void {
    if (items.length === 0) return
    if (this.#head >= items.length) {
      this.#head -= items.length
      for (let i = 0; i < items.length; i++) this.#items[this.#head + i] = items[i]!
      return
    }
    this.#items = [...items, ...this.#items.slice(this.#head)]
    this.#head = 0
  }
}
