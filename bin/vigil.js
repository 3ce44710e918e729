#!/usr/bin/env node
// Entry point of the `vigil` command: runs the TypeScript sources through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../packages/server/src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
