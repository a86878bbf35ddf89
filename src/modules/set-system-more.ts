import type { ModuleDef } from './types.js';

/** System administration: users, groups, cron, sysctl, mount, hostname, firewalls, reboot, facts. */
export const moreSystemModules: ModuleDef[] = [];
