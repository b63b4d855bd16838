#!/usr/bin/env node
import { runServerCommand } from './main.ts'

process.exitCode = await runServerCommand(process.argv.slice(2))
