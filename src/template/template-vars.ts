import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Vars } from '../types.js';
import { PyDateTime, strftime } from './datetime.js';
import { nameOf } from './lookup-filetree.js';

/**
 * Ansible's DEFAULT_MANAGED_STR (ansible.cfg `[defaults] ansible_managed`, which tsplay does not read).
 * Ansible formats it with {host}, {uid}, {file} and passes it through time.strftime with the template's mtime.
 */
export const MANAGED_STR = 'Ansible managed';

/**
 * The variables Ansible adds for the template module and the template lookup only
 * (ansible.template.generate_ansible_template_vars): they override the task's variables of the same name.
 * `src` is the name as written in the task, `fullpath` the file found, `dest` the template module's dest.
 */
export function templateVars(src: string, fullpath: string, dest?: string): Vars {
  const st = statSync(fullpath);
  const host = hostname();
  const uid = String(nameOf('passwd', st.uid));
  const mtime = PyDateTime.fromEpoch(st.mtimeMs / 1000);
  const managed = MANAGED_STR.replace(/\{(host|uid|file)\}/g, (_m, k: string) => (k === 'host' ? host : k === 'uid' ? uid : src));
  return {
    template_host: host,
    template_path: src,
    template_mtime: mtime,
    template_uid: uid,
    template_run_date: PyDateTime.now(),
    template_destpath: dest ?? null,
    template_fullpath: path.resolve(fullpath),
    ansible_managed: strftime(mtime, managed, true),
  };
}
