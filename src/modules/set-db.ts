import type { ModuleDef } from './types.js';
import { mysqlDbModule } from './mysql-db.js';
import { mysqlQueryModule } from './mysql-query.js';
import { mysqlUserModule } from './mysql-user.js';

/** Database modules: MySQL/MariaDB through the mysql client, PostgreSQL through psql. */
export const databaseModules: ModuleDef[] = [mysqlDbModule, mysqlUserModule, mysqlQueryModule];
