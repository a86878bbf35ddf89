import type { ModuleDef } from './types.js';

/** The system modules (one file per module; listed here so the registry finds them). */
export const systemModules: ModuleDef[] = [];
