import type { ModuleDef } from './types.js';

/** Package managers beyond rpm (apt family, repositories, keys) and code tools (git, pip, make, expect). */
export const packageModules: ModuleDef[] = [];
