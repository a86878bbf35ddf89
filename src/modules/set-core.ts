import type { ModuleDef } from './types.js';
import { commandModule, shellModule } from './command.js';
import { debugModule } from './debug.js';
import { assertModule } from './assert.js';
import { failModule } from './fail.js';
import { setFactModule } from './set-fact.js';
import { metaModule } from './meta.js';
import { pauseModule } from './pause.js';
import { setupModule } from './setup.js';
import { rawModule } from './raw.js';

/** The core modules: running commands, and the controller-side ones the executor needs. */
export const coreModules: ModuleDef[] = [
  commandModule,
  shellModule,
  rawModule,
  debugModule,
  assertModule,
  failModule,
  setFactModule,
  metaModule,
  pauseModule,
  setupModule,
];
