// A Jest `setupFiles` entry: runs before the test framework and the test file, so SDK clients
// constructed at the top of a test file already see Retrace's fetch.
import { installInterception } from '@retrace/core'

installInterception()
