import type { ModuleDef } from './types.js';
import { kamailioModule } from './kamailio.js';
import { psqlModule } from './psql.js';
import { uriModule } from './uri.js';
import { waitForConnectionModule } from './wait-for-connection.js';
import { waitForModule } from './wait-for.js';

/** Data and network modules: psql, kamailio, wait_for, wait_for_connection, uri. */
export const dataModules: ModuleDef[] = [psqlModule, kamailioModule, waitForModule, waitForConnectionModule, uriModule];
