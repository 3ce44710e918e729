/** @vigil/server: the Vigil server as a library (the `vigil` command is cli/main.ts). */
export { Vigil } from './vigil.ts';
export type { VigilOptions } from './vigil.ts';
export { main } from './cli/main.ts';
