import { expect, test } from 'vitest'
import { runCalendarAgent } from './agent.ts'

test('finds the free slots on Friday', async () => {
  await expect(() => runCalendarAgent('Please list events and find free slots on Friday')).toMatchCassette()
})

test('checks events, then free slots, for the day asked', async () => {
  await expect(() => runCalendarAgent('Please list events and find free slots on Monday')).toMatchTrajectory([
    { name: 'list_events', arguments: { day: 'Monday' } },
    { name: 'free_slots', arguments: { day: 'Monday' } },
  ])
})

test('answers in two model calls, for under a tenth of a cent', async () => {
  await expect(() => runCalendarAgent('Please list events and find free slots on Monday')).toStayWithinBudget({ usd: 0.001, tokens: 1_500, steps: 2 })
})
