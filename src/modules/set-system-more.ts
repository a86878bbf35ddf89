import type { ModuleDef } from './types.js';
import { userModule } from './system/user.js';
import { groupModule } from './system/group.js';
import { getentModule } from './system/getent.js';
import { cronModule } from './system/cron.js';
import { sysctlModule } from './system/sysctl.js';
import { hostnameModule } from './system/hostname.js';
import { rebootModule } from './system/reboot.js';
import { mountModule } from './system/mount.js';
import { timezoneModule } from './system/timezone.js';
import { localeGenModule } from './system/locale-gen.js';
import { selinuxModule } from './system/selinux.js';
import { sebooleanModule } from './system/seboolean.js';
import { firewalldModule } from './system/firewalld.js';
import { ufwModule } from './system/ufw.js';
import { modprobeModule } from './system/modprobe.js';
import { packageFactsModule } from './system/package-facts.js';
import { serviceFactsModule } from './system/service-facts.js';

/** System administration: users, groups, cron, sysctl, mount, hostname, firewalls, reboot, facts. */
export const moreSystemModules: ModuleDef[] = [
  userModule,
  groupModule,
  getentModule,
  cronModule,
  sysctlModule,
  hostnameModule,
  rebootModule,
  mountModule,
  timezoneModule,
  localeGenModule,
  selinuxModule,
  sebooleanModule,
  firewalldModule,
  ufwModule,
  modprobeModule,
  packageFactsModule,
  serviceFactsModule,
];
