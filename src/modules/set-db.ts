import type { ModuleDef } from './types.js';
import { mysqlDbModule } from './mysql-db.js';
import { mysqlInfoModule } from './mysql-info.js';
import { mysqlQueryModule } from './mysql-query.js';
import { mysqlReplicationModule } from './mysql-replication.js';
import { mysqlUserModule } from './mysql-user.js';
import { mysqlVariablesModule } from './mysql-variables.js';
import { postgresqlDbModule } from './postgresql-db.js';
import { postgresqlExtModule } from './postgresql-ext.js';
import { postgresqlInfoModule } from './postgresql-info.js';
import { postgresqlPrivsModule } from './postgresql-privs.js';
import { postgresqlQueryModule } from './postgresql-query.js';
import { postgresqlUserModule } from './postgresql-user.js';

/** Database modules: MySQL/MariaDB through the mysql client, PostgreSQL through psql. */
export const databaseModules: ModuleDef[] = [
  mysqlDbModule, mysqlUserModule, mysqlQueryModule, mysqlVariablesModule, mysqlInfoModule, mysqlReplicationModule,
  postgresqlDbModule, postgresqlUserModule, postgresqlPrivsModule, postgresqlQueryModule, postgresqlExtModule, postgresqlInfoModule,
];
