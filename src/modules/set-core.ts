import type { ModuleDef } from './types.js';

/** The core modules (one file per module; listed here so the registry finds them). */
export const coreModules: ModuleDef[] = [];
