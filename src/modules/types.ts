import type { Source } from '../errors.js';
import type { ExecOptions, ExecResult } from '../connection/types.js';
import type { Vars } from '../types.js';
import type { Predicted, Prediction } from '../facts/predicted.js';
import type { TargetPath } from './target-paths.js';

/**
 * Modules are data in, commands out. A module:
 *  - `parse`s its raw arguments (validating types, required keys, choices) — called once at load time,
 *    where values may still be unrendered templates (see args.ts), and again at run time after rendering;
 *  - `plan`s from the arguments and what it reads on the host (read-only `probe`s): the steps that
 *    would change the host, the diff, and the result fields;
 * and the executor applies the plan (or not, in check mode). "changed" means "the plan had steps".
 */
export interface ModuleDef<A = any> {
  name: string;
  /** Other names, e.g. `yum` and `dnf` for `package`. The `ansible.builtin.` prefix is always accepted. */
  aliases?: readonly string[];
  /** Accepts a free-form string (`command: ls -l`) as `_raw_params`; k=v words in it become arguments. */
  freeForm?: boolean;
  /** The k=v words taken out of the free-form line as arguments (Ansible's parse_kv with check_raw); others stay in it. */
  freeFormKeys?: readonly string[];
  /** Its result's `ansible_facts` become host facts (setup, getent, package_facts, service_facts, hostname). */
  returnsFacts?: boolean;
  /**
   * Its result's `ansible_facts` become host variables at include_vars precedence (include_vars), not
   * facts. Other result keys the executor applies for any module, as Ansible's does: `add_host`
   * ({host_name, groups, host_vars}), `add_group` + `parent_groups`, `ansible_stats` (set_stats).
   */
  returnsVars?: boolean;
  /** Runs on the controller only (debug, set_fact, assert, fail, pause, meta): no connection is needed. */
  controllerOnly?: boolean;
  /** Runs once per task for the first host, as if `run_once` (Ansible's BYPASS_HOST_LOOP: add_host). */
  bypassHostLoop?: boolean;
  /**
   * Its arguments that are paths on the target (Ansible's `type: path` options, which AnsibleModule expands
   * where the module runs): `~`, `~user` and `$VAR` in them are expanded on the target, as the task's user,
   * before planning (target-paths.ts). `{ arg, when }`: only when the boolean argument `when` is true
   * (copy's `src` with `remote_src`; otherwise it is the controller's). A list argument has each element expanded.
   */
  targetPaths?: readonly TargetPath[];
  /** Takes Ansible's SELinux file arguments (SELINUX_SPECS in selinux-args.ts): runModule checks the host before planning. */
  selinuxArgs?: boolean;
  /**
   * Validate raw arguments. Throw ParseError(message naming the argument, where).
   * `loadTime` is true when values may still be templates: a string containing "{{" passes any type check.
   */
  parse(raw: unknown, where: Source, loadTime: boolean): A;
  /** Decide what to do; never change the host here. */
  plan(args: A, ctx: ModuleContext): Promise<Plan>;
}

/** What a module may use while planning. */
export interface ModuleContext {
  /** inventory_hostname of the target */
  host: string;
  /** All variables of this host for this task (facts, registered values…). */
  vars: Vars;
  check: boolean;
  diff: boolean;
  /** -v count of the run (debug's `verbosity:` threshold); 0 when not given */
  verbosity?: number;
  where: Source;
  /**
   * Aborted when this task must stop waiting: the host's guard deadline, the task's `timeout:`, Ctrl-C.
   * Every controller-side sleep, poll and retry waits through `wait(ms, signal)` (util/abortable.ts)
   * and ends with a failed result naming `abortReason(signal)`; a remote wait passes it to its probe.
   */
  signal: AbortSignal;
  /**
   * Under --check: what earlier tasks of this host would have made (facts/predicted.ts). The file facts
   * read through it; a module rarely needs it directly.
   */
  predicted?: Predicted;
  /** Run a read-only command on the target (with the task's become/environment) and return what it printed. */
  probe(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Find a controller file for `src:` — in the role's/playbook's `files/` or `templates/` dir, or as given. */
  findLocalFile(kind: 'files' | 'templates' | 'vars', name: string): string;
  /**
   * Render a template with this task's variables (strict: undefined is an error). With `file`, the
   * text is that template file's (Jinja with Ansible's template environment, or Handlebars);
   * `extra` variables (the template module's template_* and ansible_managed) override the task's.
   */
  render(text: string, file?: string, extra?: Vars): string;
}

/** One command that changes the host. */
export interface Step {
  /** A POSIX shell command line; every value in it went through util/quote.ts. */
  cmd: string;
  /** Data to feed on stdin (file contents for copy/template). */
  stdin?: string | Buffer;
  /** Per-step timeout (ms); the task's `timeout` applies when unset. */
  timeoutMs?: number;
  /** Run on the controller instead of the target (fetch writes a local file). */
  local?: boolean;
}

/** A file's change, rendered as a unified diff by the reporter under --diff. */
export interface FileDiff {
  path: string;
  before: string;
  after: string;
  /** Header labels, default "before: PATH" / "after: PATH". */
  beforeHeader?: string;
  afterHeader?: string;
}

/** The outcome of a task on one host, Ansible-shaped (`rc`, `stdout`, `msg` … go in extra keys). */
export interface Outcome {
  changed: boolean;
  failed: boolean;
  skipped?: boolean;
  msg?: string;
  [key: string]: unknown;
}

export interface Plan {
  /** Commands that change the host. None: nothing to do (ok, unchanged) — unless `changed` says otherwise. */
  steps: Step[];
  /** Override "changed = steps.length > 0" (e.g. command/shell are always changed). */
  changed?: boolean;
  /** Result fields known from planning (before/after versions, checksum, rows of a read-only query…). */
  result?: Record<string, unknown>;
  /**
   * Result keys naming something the steps make (a backup's path): reported only when the steps ran and
   * succeeded — not in check mode, not after a failed write (a full disk) that never made it. Each key
   * maps to what is reported instead (undefined: the key is left out).
   */
  madeBySteps?: Record<string, unknown>;
  /**
   * What the steps would make on the host (directories, files, removals), as data: under --check the
   * executor records it for the later tasks of the host (`ModuleContext.predicted`).
   */
  creates?: Prediction[];
  /** Planning found the task cannot succeed (missing src file, invalid config…). */
  failed?: boolean;
  msg?: string;
  diff?: FileDiff[];
  /**
   * The module cannot tell what its steps would do (command, shell, script), or cannot find out without
   * side effects (uri): in check mode the task is skipped, as in Ansible — with `msg` ("would run: …")
   * when the plan gives one.
   */
  unpredictable?: boolean;
  /**
   * Build the final outcome from the steps' results (in step order). Default: failed when a step's rc ≠ 0,
   * with that step's rc/stdout/stderr; changed = plan's changed.
   */
  finish?(results: ExecResult[], base: Outcome): Outcome;
  /**
   * Like `finish`, for a module that must keep talking to the host after its steps (reboot waits for the
   * host to come back). Not called in check mode. Wins over `finish`.
   */
  finishAsync?(results: ExecResult[], base: Outcome): Promise<Outcome>;
}
