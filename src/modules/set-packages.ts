import type { ModuleDef } from './types.js';
import { aptModule } from './apt.js';
import { aptKeyModule } from './apt-key.js';
import { aptRepositoryModule } from './apt-repository.js';
import { deb822RepositoryModule } from './deb822-repository.js';
import { debconfModule } from './debconf.js';
import { expectModule } from './expect.js';
import { gitModule } from './git.js';
import { makeModule } from './make.js';
import { pipModule } from './pip.js';
import { dnfModule, yumModule } from './package.js';
import { rpmKeyModule } from './rpm-key.js';
import { yumRepositoryModule } from './yum-repository.js';

/** Package managers beyond rpm (apt family, repositories, keys) and code tools (git, pip, make, expect). */
export const packageModules: ModuleDef[] = [
  aptModule,
  aptRepositoryModule,
  aptKeyModule,
  deb822RepositoryModule,
  debconfModule,
  yumModule,
  dnfModule,
  yumRepositoryModule,
  rpmKeyModule,
  gitModule,
  pipModule,
  makeModule,
  expectModule,
];
