import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecOptions, ExecResult } from '../connection/types.js';
import type { Outcome, Plan } from '../modules/types.js';
import { quote } from '../util/quote.js';
import { defaultFinish } from './apply.js';
import { ASYNC_DIR, jobFile, readStatus } from '../modules/control/async-files.js';

/** `async:` / `poll:` of a task, rendered: the job's time limit and the seconds between two looks (0: do not wait). */
export interface AsyncSpec {
  seconds: number;
  poll: number;
}

/** Runs a command on the target with the task's become/environment (the job runs as that user). */
export type TargetExec = (cmd: string, opts?: ExecOptions) => Promise<ExecResult>;

/** What the step-output read prints for a step the job never reached (it stopped at an earlier failure). */
const NOT_RUN = 'tsplay-async-step-not-run';

/** A job id as async_wrapper makes one: random digits, a dot, a pid. */
export function newJobId(): string {
  return `j${randomInt(100_000_000, 999_999_999)}${randomInt(100, 999)}.${process.pid}`;
}

/**
 * stdout/stderr of a step as a JSON string body (control characters dropped; a final newline trimmed, as
 * Ansible's command does). Backslashes by split and join: mawk and gawk read `\\\\` in a gsub replacement differently.
 */
export const JSON_ESCAPE = String.raw`esc() { tr -d '\000-\010\013\014\016-\037' < "$1" | awk 'BEGIN{ORS=""} { n = split($0, p, /\\/); s = p[1]; for (i = 2; i <= n; i++) s = s "\\\\" p[i]; gsub(/"/, "\\\"", s); gsub(/\t/, "\\t", s); gsub(/\r/, "\\r", s); if (NR > 1) printf "\\n"; printf "%s", s }'; }`;

/**
 * The job's script: each step in order (stopping at the first that fails), its output kept in JID.d/,
 * then the status file rewritten (atomically) as the final result: Ansible-shaped JSON with started,
 * finished, ansible_job_id, results_file, changed, failed, rc, stdout, stderr, msg, plus what the plan
 * already knew (`known`, a JSON object's members).
 */
export function jobScript(jid: string, plan: Plan, changed: boolean, known: Record<string, unknown>): string {
  const lines = ['set +e', `d=${ASYNC_DIR}; job="$d"/${quote(jid)}; w="$job.d"`, JSON_ESCAPE, 'last='];
  plan.steps.forEach((step, i) => {
    let stdin = '/dev/null';
    if (step.stdin !== undefined) {
      const b64 = Buffer.from(step.stdin).toString('base64').replace(/(.{76})/g, '$1\n');
      lines.push(`base64 -d > "$w/${i}.in" <<'TSPLAY_ASYNC_STDIN'`, b64, 'TSPLAY_ASYNC_STDIN');
      stdin = `"$w/${i}.in"`;
    }
    lines.push(`last=${i}`, `(\n${step.cmd}\n) < ${stdin} > "$w/${i}.out" 2> "$w/${i}.err"`, `echo $? > "$w/${i}.rc"`, `[ "$(cat "$w/${i}.rc")" = 0 ] || { finish; exit 0; }`);
  });
  const extra = Object.entries(known).filter(([, v]) => v !== undefined).map(([k, v]) => `, ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join('');
  const finish = [
    'finish() {',
    '  rc=0; [ -n "$last" ] && rc=$(cat "$w/$last.rc")',
    `  if [ "$rc" = 0 ]; then failed=false; msg=''; else failed=true; msg=', "msg": "non-zero return code"'; fi`,
    '  {',
    `    printf '{"started": 1, "finished": 1, "ansible_job_id": "%s", "results_file": "%s", "changed": %s, "failed": %s, "rc": %s, "stdout": "' ${quote(jid)} "$job" ${changed} "$failed" "$rc"`,
    '    [ -n "$last" ] && esc "$w/$last.out"',
    `    printf '", "stderr": "'`,
    '    [ -n "$last" ] && esc "$w/$last.err"',
    `    printf '"%s%s}\\n' "$msg" ${quote(extra)}`,
    '  } > "$job.tmp" && mv -f "$job.tmp" "$job"',
    // the script and stdin files may hold what the steps were given (file contents): not kept
    '  rm -f "$job.sh" "$w"/*.in',
    '}',
  ];
  // finish() must exist before the first step calls it
  return [...lines.slice(0, 4), ...finish, ...lines.slice(4), 'finish', ''].join('\n');
}

/**
 * The launcher: writes the script (from stdin) and the "started" status file, then starts the job
 * detached from the SSH session (setsid, else nohup) under `timeout`, which kills it after the limit;
 * a job killed so leaves Ansible's "Timeout exceeded" result. Prints nothing; returns at once.
 */
export function launchCommand(jid: string, seconds: number): string {
  const q = quote(jid);
  const timedOut = `{"started": 1, "finished": 1, "ansible_job_id": "${jid.replace(/["\\]/g, '')}", "failed": true, "msg": "Timeout exceeded"}`;
  const supervisor = `timeout -s KILL "$1" sh "$2"; rc=$?; rm -f "$2"; if [ $rc = 124 ] || [ $rc = 137 ]; then grep -q '"finished": 0' "$3" && printf '%s\\n' ${quote(timedOut)} > "$3.tmp" && mv -f "$3.tmp" "$3"; fi`;
  return [
    `{ command -v timeout >/dev/null 2>&1 || { echo 'async: the host has no timeout command (coreutils)' >&2; exit 127; }; }`,
    `d=${ASYNC_DIR}; umask 077; mkdir -p "$d"/${q}.d && cat > "$d"/${q}.sh`,
    `printf '{"started": 1, "finished": 0, "ansible_job_id": "%s"}\\n' ${q} > "$d"/${q}`,
    `if command -v setsid >/dev/null 2>&1; then detach=setsid; else detach=nohup; fi`,
    `{ $detach sh -c ${quote(supervisor)} sh ${seconds} "$d"/${q}.sh "$d"/${q} </dev/null >/dev/null 2>&1 & }`,
    'printf %s "$d"/' + q,
  ].join(' && ');
}

/**
 * Run a plan as an async job: launch it, then with `poll` > 0 look at it every `poll` seconds until it
 * finished or `seconds` ran out (Ansible's _poll_async_result; the wait stops when `signal` aborts).
 * The module's own `finish` builds the result from the steps' outputs, with the job's keys added.
 * `poll: 0` returns at once: the job id for async_status.
 */
export async function runAsyncJob(plan: Plan, spec: AsyncSpec, exec: TargetExec, signal?: AbortSignal): Promise<Outcome> {
  const changed = plan.changed ?? plan.steps.length > 0;
  const base: Outcome = { changed, failed: false, ...(plan.result ?? {}) };
  if (plan.diff && plan.diff.length > 0) base.diff = plan.diff;
  if (plan.msg !== undefined) base.msg = plan.msg;
  if (plan.steps.some((s) => s.local) || plan.finishAsync) return { changed: false, failed: true, msg: 'async is not supported for this task.' };
  const jid = newJobId();
  const { changed: _c, failed: _f, diff: _d, ...known } = base;
  const launched = await exec(launchCommand(jid, spec.seconds), { stdin: jobScript(jid, plan, changed, known) });
  if (launched.rc !== 0 || launched.aborted) return { changed: false, failed: true, msg: `could not start the async job: ${launched.stderr.trim() || `rc ${launched.rc}`}`, ansible_job_id: jid };
  const resultsFile = launched.stdout.trim();
  const started = { started: 1, ansible_job_id: jid, results_file: resultsFile };
  if (spec.poll <= 0) return { ...started, finished: 0, changed: true, failed: false };

  let status: Record<string, unknown> | undefined;
  let timeLeft = spec.seconds;
  while (timeLeft > 0) {
    try {
      await sleep(spec.poll * 1000, undefined, { signal });
    } catch {
      return { ...started, finished: 0, changed: false, failed: true, msg: `interrupted while waiting for async job ${jid}; it goes on on the host (async_status jid=${jid})` };
    }
    const r = await exec(`cat ${jobFile(jid)}`);
    status = readStatus(jid, r.stdout);
    if (status && (Number(status.finished) === 1 || status.failed)) break;
    timeLeft -= spec.poll;
  }
  if (!status || Number(status.finished) !== 1) {
    return { changed: false, failed: true, msg: `async task did not complete within the requested time - ${spec.seconds}s`, async_result: status ?? {} };
  }
  if (status.msg === 'Timeout exceeded') return { ...status, changed: false, failed: true };
  // The steps' exact outputs (the status file's are trimmed JSON strings) for the module's finish.
  const results: ExecResult[] = [];
  for (let i = 0; i < plan.steps.length; i++) {
    const dir = `${jobFile(jid)}.d/${i}`;
    const r = await exec(`[ -f ${dir}.rc ] || { printf ${NOT_RUN} >&2; exit 254; }; cat ${dir}.out; cat ${dir}.err >&2; exit "$(cat ${dir}.rc)"`);
    if (r.rc === 254 && r.stderr === NOT_RUN) break;
    results.push(r);
  }
  const outcome = plan.finish ? plan.finish(results, base) : defaultFinish(results, base, plan.steps);
  await exec(`rm -rf ${jobFile(jid)} ${jobFile(jid)}.d ${jobFile(jid)}.sh`);
  return { ...outcome, ...started, finished: 1 };
}
