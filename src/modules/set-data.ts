import type { ModuleDef } from './types.js';

/** Data and network modules: psql, kamailio, wait_for, wait_for_connection, uri. */
export const dataModules: ModuleDef[] = [];
