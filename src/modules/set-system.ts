import type { ModuleDef } from './types.js';
import { packageModule } from './package-any.js';
import { serviceModule } from './service.js';

/** The system modules (one file per module; listed here so the registry finds them). */
export const systemModules: ModuleDef[] = [packageModule, serviceModule];
