export { guardSockets } from './guard-sockets.ts'
export { guardDns } from './guard-dns.ts'
export { rawConnectionRefusal, type RawConnection } from './connection-policy.ts'
