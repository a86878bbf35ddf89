import type { ModuleDef } from './types.js';
import { aptModule } from './apt.js';
import { yumModule } from './package.js';

/** Package managers beyond rpm (apt family, repositories, keys) and code tools (git, pip, make, expect). */
export const packageModules: ModuleDef[] = [aptModule, yumModule];
