import { ASYNC_DIR, jobFile, readStatus } from './async-files.js';
import { parseArgs } from '../args.js';
import type { ModuleDef } from '../types.js';

interface AsyncStatusArgs {
  jid: string;
  mode: 'status' | 'cleanup';
}

/**
 * ansible.builtin.async_status: the state of a job started with `async:` (`poll: 0`), read from its
 * status file ~/.ansible_async/JID: running (`finished: 0`) or its final result (`finished: 1`);
 * `mode: cleanup` removes the file. Use with `until: job.finished` to wait.
 */
export const asyncStatusModule: ModuleDef<AsyncStatusArgs> = {
  name: 'async_status',
  parse(raw, where, loadTime) {
    return parseArgs<AsyncStatusArgs>('async_status', { jid: { type: 'str', required: true }, mode: { type: 'str', default: 'status', choices: ['status', 'cleanup'] } }, raw, where, loadTime);
  },
  async plan(args, ctx) {
    const file = jobFile(args.jid);
    // the path as the target's shell expands it, then the file (absent: rc 3)
    const r = await ctx.probe(`printf '%s\\n' ${ASYNC_DIR}; [ -f ${file} ] || exit 3; cat ${file}`);
    const [home = '', ...rest] = r.stdout.split('\n');
    const path = `${home}/${args.jid}`;
    if (r.rc === 3) return { steps: [], failed: true, msg: 'could not find job', result: { ansible_job_id: args.jid, started: 1, finished: 1 } };
    if (r.rc !== 0) return { steps: [], failed: true, msg: r.stderr.trim() || `cannot read ${path}`, result: { ansible_job_id: args.jid } };
    if (args.mode === 'cleanup') {
      return { steps: [{ cmd: `rm -rf ${file} ${file}.d ${file}.sh` }], changed: false, result: { ansible_job_id: args.jid, erased: path } };
    }
    const text = rest.join('\n');
    if (text.trim() === '') return { steps: [], result: { results_file: path, ansible_job_id: args.jid, started: 1, finished: 0 } };
    const data = readStatus(args.jid, text);
    if (!data) return { steps: [], failed: true, msg: `Could not parse job output: ${text}`, result: { ansible_job_id: args.jid, results_file: path, started: 1, finished: 1 } };
    const { changed, ...rest2 } = data;
    return { steps: [], changed: changed === true, result: rest2 };
  },
};
