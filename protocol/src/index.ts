export * from './wire-events.ts'
