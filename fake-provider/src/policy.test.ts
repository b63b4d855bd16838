import { expect, test } from 'vitest'

import type { Conversation, ConversationTurn, ToolDeclaration } from './conversation.ts'
import { splitIntoFragments, splitIntoWordDeltas } from './deltas.ts'
import { detectFault } from './faults.ts'
import { chooseTools, planDefaultReply, planScriptedReply, synthesizeArguments } from './policy.ts'

const tool = (name: string, parameters?: Record<string, unknown>): ToolDeclaration => ({ name, parameters })
const conversation = (turns: ConversationTurn[], tools: ToolDeclaration[] = [], wantsThinking = false): Conversation => ({
  turns,
  tools,
  wantsThinking,
})

test('text reply echoes the last user turn; usage is a quarter of the characters', () => {
  const reply = planDefaultReply(
    conversation([
      { kind: 'user', text: 'first' },
      { kind: 'assistant', text: 'ok', toolCalls: [] },
      { kind: 'user', text: 'second' },
    ]),
    'x'.repeat(41),
  )
  expect(reply).toEqual({
    text: 'You said: second',
    thinking: undefined,
    toolCalls: [],
    finishReason: undefined,
    usage: { inputTokens: 11, outputTokens: 4 },
  })
})

test('tools declared and the user turn unanswered: tool calls, first tool when none is named', () => {
  const tools = [tool('search'), tool('calculate')]
  expect(planDefaultReply(conversation([{ kind: 'user', text: 'hi' }], tools), '{}').toolCalls).toEqual([
    { name: 'search', arguments: {} },
  ])
})

test('tool results after the last user turn mean the turn was answered', () => {
  const turns: ConversationTurn[] = [
    { kind: 'user', text: 'weather?' },
    { kind: 'assistant', text: '', toolCalls: [{ id: 'call_1', name: 'get_weather' }, { id: 'call_2', name: 'get_time' }] },
    { kind: 'tool-result', callId: 'call_1', name: undefined, result: '{ "temp": 3 }' },
    { kind: 'tool-result', callId: 'call_2', name: undefined, result: 'noon' },
  ]
  expect(planDefaultReply(conversation(turns, [tool('get_weather')]), '{}').text).toBe(
    'Based on get_weather, get_time: {"temp":3}; noon',
  )
  // An assistant answer after the results: back to echoing.
  const answered = [...turns, { kind: 'assistant', text: 'It is 3°', toolCalls: [] } as const]
  expect(planDefaultReply(conversation(answered, [tool('get_weather')]), '{}').text).toBe('You said: weather?')
})

test('chooseTools: names and spaced names, case-insensitive, in order of mention', () => {
  const tools = [tool('get_weather'), tool('get_time'), tool('convert_currency')]
  const chosen = (text: string): string[] => chooseTools(tools, text).map((declared) => declared.name)
  expect(chosen('CONVERT CURRENCY first, then Get_Weather')).toEqual(['convert_currency', 'get_weather'])
  expect(chosen('get time')).toEqual(['get_time'])
  expect(chosen('nothing relevant')).toEqual(['get_weather'])
  expect(chooseTools([], 'anything')).toEqual([])
})

test('synthesizeArguments: every schema rule, required properties first', () => {
  const parameters = {
    type: 'object',
    properties: {
      note: { type: 'string' },
      count: { type: 'integer' },
      ratio: { type: ['number', 'null'] },
      urgent: { type: 'boolean' },
      mode: { type: 'string', enum: ['fast', 'slow'] },
      tags: { type: 'array', items: { type: 'string' } },
      extra: { type: 'object' },
      fixed: { const: 'v1' },
      either: { anyOf: [{ type: 'number' }, { type: 'string' }] },
      upper: { type: 'STRING' },
    },
    required: ['mode', 'count'],
  }
  const args = synthesizeArguments(parameters, 'Ship 3.5 crates to New York, please!')
  expect(Object.keys(args).slice(0, 2)).toEqual(['mode', 'count'])
  expect(args).toEqual({
    mode: 'fast',
    count: 3,
    note: 'York',
    ratio: 3.5,
    urgent: true,
    tags: [],
    extra: {},
    fixed: 'v1',
    either: 3.5,
    upper: 'York',
  })
})

test('synthesizeArguments: fallbacks without capitalised words or numbers', () => {
  const parameters = { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'number' } } }
  expect(synthesizeArguments(parameters, 'just lowercase words')).toEqual({ query: 'just lowercase words', limit: 1 })
  expect(synthesizeArguments(undefined, 'x')).toEqual({})
  // A hyphen glued to a word is not a minus sign; a leading one is.
  expect(synthesizeArguments(parameters, 'abort-after-3')).toMatchObject({ limit: 3 })
  expect(synthesizeArguments(parameters, 'go -5')).toMatchObject({ limit: -5 })
})

test('wantsThinking adds a deterministic thinking text', () => {
  const reply = planDefaultReply(conversation([{ kind: 'user', text: 'Why?' }], [], true), '{}')
  expect(reply.thinking).toBe('Let me think about "Why?".')
})

test('scripted replies keep their content and default to empty text', () => {
  expect(planScriptedReply({}, '{}')).toMatchObject({ text: '', toolCalls: [] })
  expect(planScriptedReply({ toolCalls: [{ name: 't', arguments: {} }] }, '{}').text).toBeUndefined()
  expect(planScriptedReply({ text: 'a', usage: { inputTokens: 7, outputTokens: 9 } }, '{}').usage).toEqual({
    inputTokens: 7,
    outputTokens: 9,
  })
})

test('word deltas and fragments concatenate back to their input', () => {
  expect(splitIntoWordDeltas('You said:  two  spaces ')).toEqual(['You ', 'said:  ', 'two  ', 'spaces '])
  expect(splitIntoWordDeltas('')).toEqual([])
  const json = JSON.stringify({ city: 'Zürich 🏔️', days: 3 })
  expect(splitIntoFragments(json).join('')).toBe(json)
  expect(splitIntoFragments(json)).toHaveLength(3)
  expect(splitIntoFragments('{}')).toEqual(['{', '}'])
})

test('fault markers', () => {
  expect(detectFault('story [[fake:abort-after-3]]')).toEqual({ kind: 'abort-after', events: 3 })
  expect(detectFault('[[fake:status-429]] now')).toEqual({ kind: 'status', status: 429 })
  expect(detectFault('[[fake:status-529]]')).toEqual({ kind: 'status', status: 529 })
  expect(detectFault('[[fake:status-200]]')).toBeUndefined()
  expect(detectFault('no marker')).toBeUndefined()
})
