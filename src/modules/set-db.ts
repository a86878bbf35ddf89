import type { ModuleDef } from './types.js';

/** Database modules: MySQL/MariaDB through the mysql client, PostgreSQL through psql. */
export const databaseModules: ModuleDef[] = [];
