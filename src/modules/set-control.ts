import type { ModuleDef } from './types.js';
import { includeVarsModule } from './control/include-vars.js';
import { groupByModule } from './control/group-by.js';
import { addHostModule } from './control/add-host.js';
import { pingModule } from './control/ping.js';
import { setStatsModule } from './control/set-stats.js';
import { asyncStatusModule } from './control/async-status.js';
import { validateArgumentSpecModule } from './control/validate-argument-spec.js';

/** Control modules: include_vars, group_by, add_host, ping, async_status, set_stats, validate_argument_spec. */
export const controlModules: ModuleDef[] = [includeVarsModule, groupByModule, addHostModule, pingModule, setStatsModule, asyncStatusModule, validateArgumentSpecModule];
