import type { ModuleDef } from './types.js';
import { copyModule } from './copy.js';
import { templateModule } from './template.js';
import { fileModule } from './file.js';
import { lineinfileModule } from './lineinfile.js';
import { statModule } from './stat.js';
import { fetchModule } from './fetch.js';
import { scriptModule } from './script.js';

/** The files modules (one file per module; listed here so the registry finds them). */
export const fileModules: ModuleDef[] = [copyModule, templateModule, fileModule, lineinfileModule, statModule, fetchModule, scriptModule];
