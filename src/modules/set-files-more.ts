import type { ModuleDef } from './types.js';
import { replaceModule } from './replace.js';
import { blockinfileModule } from './blockinfile.js';
import { iniFileModule } from './ini-file.js';
import { unarchiveModule } from './unarchive.js';
import { getUrlModule } from './get-url.js';
import { findModule } from './find.js';
import { tempfileModule } from './tempfile.js';
import { assembleModule } from './assemble.js';

/** More file modules: replace, blockinfile, ini_file, unarchive, get_url, find, tempfile, assemble. */
export const moreFileModules: ModuleDef[] = [replaceModule, blockinfileModule, iniFileModule, unarchiveModule, getUrlModule, findModule, tempfileModule, assembleModule];
