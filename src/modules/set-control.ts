import type { ModuleDef } from './types.js';

/** Control modules: include_vars, group_by, add_host, ping, async_status, set_stats. */
export const controlModules: ModuleDef[] = [];
