import type { ModuleDef } from './types.js';

/** The files modules (one file per module; listed here so the registry finds them). */
export const fileModules: ModuleDef[] = [];
