import type { ModuleDef } from './types.js';

/** More file modules: replace, blockinfile, ini_file, unarchive, get_url, find, tempfile, assemble. */
export const moreFileModules: ModuleDef[] = [];
