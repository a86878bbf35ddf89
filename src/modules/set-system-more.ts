import type { ModuleDef } from './types.js';
import { userModule } from './system/user.js';
import { groupModule } from './system/group.js';
import { getentModule } from './system/getent.js';
import { cronModule } from './system/cron.js';
import { sysctlModule } from './system/sysctl.js';
import { hostnameModule } from './system/hostname.js';
import { rebootModule } from './system/reboot.js';

/** System administration: users, groups, cron, sysctl, mount, hostname, firewalls, reboot, facts. */
export const moreSystemModules: ModuleDef[] = [userModule, groupModule, getentModule, cronModule, sysctlModule, hostnameModule, rebootModule];
