import ora, { type Ora } from 'ora';
import type { FileDiff } from '../modules/types.js';
import { serializedDiff, unifiedDiff } from './diff.js';
import { pyJson } from './py-json.js';
import { pyStr } from '../template/values.js';
import type { HostStats, Reporter, RunEvent } from './events.js';

export interface ConsoleOptions {
  verbosity: number;
  /** Interactive terminal: colours and the spinner. */
  tty: boolean;
  color: boolean;
  write: (s: string) => void;
  writeErr: (s: string) => void;
  /** Also write the plain text here (--log-file). */
  log?: (s: string) => void;
  /** ANSIBLE_SHOW_CUSTOM_STATS: set_stats data after the recap. */
  showCustomStats?: boolean;
}

/**
 * A result as ansible-playbook's default callback shows it: the status keys (`failed`, `skipped`) are the
 * line's own word, not repeated in the JSON (TaskResult.clean_copy); `diff`, `invocation` and `exception`
 * only from -vvv (_dump_results); Python's json.dumps with sorted keys, one key per line from -vvv.
 */
function resultJson(result: Record<string, unknown>, verbosity: number): string {
  const { failed: _f, skipped: _s, exception: _e, ...rest } = result;
  if (verbosity < 3) {
    delete rest.diff;
    delete rest.invocation;
  }
  // Ansible's _dump_results: internal keys never shown; a result that asks to be always shown is pretty-printed
  for (const k of Object.keys(rest)) if (k.startsWith('_ansible_')) delete rest[k];
  return pyJson(rest, verbosity > 2 || alwaysShown(result) ? 4 : undefined);
}

/** A result its module wants shown at any verbosity (Ansible's `_ansible_verbose_always`: debug, assert). */
const alwaysShown = (result: Record<string, unknown>): boolean => result._ansible_verbose_always === true;

/** A loop item as ansible-playbook labels it: Python's str() of the item (a dict as `{'k': 'v'}`). */
const itemLabel = (item: unknown) => pyStr(item);

/** Ansible's _dump_results(indent=1) with the newlines removed: `{ "a": 1, "b": 2}`. */
function statsJson(v: unknown): string {
  return pyJson(v, 1).replace(/\n/g, '');
}

/** Ansible's Display width: 79 without a terminal, else the terminal's width less one (banners end one column short). */
const COLUMNS = Math.max(79, (process.stdout.isTTY ? process.stdout.columns : 0) - 1);
const COLORS = { ok: 32, changed: 33, failed: 31, unreachable: 31, skipped: 36, ignored: 36, warn: 35, rescued: 35 } as const;

function banner(title: string): string {
  return `\n${title} ${'*'.repeat(Math.max(3, COLUMNS - title.length))}`;
}

/** The recap line of one host, with Ansible's padding. */
export function recapLine(host: string, s: HostStats): string {
  const f = (k: string, n: number) => `${k}=${String(n).padEnd(4)}`;
  return `${host.padEnd(26)} : ${f('ok', s.ok)} ${f('changed', s.changed)} ${f('unreachable', s.unreachable)} ${f('failed', s.failures)} ${f('skipped', s.skipped)} ${f('rescued', s.rescued)} ${f('ignored', s.ignored)}`;
}

/**
 * Ansible-like human output: PLAY / TASK banners, one line per host, the PLAY RECAP.
 * On a TTY an ora spinner shows the task in flight and how many hosts have answered.
 */
export function consoleReporter(o: ConsoleOptions): Reporter {
  const paint = (code: number, s: string) => (o.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  let spinner: Ora | undefined;
  let taskName = '';
  let answered = 0;
  let expected = 0;
  let taskStarted = 0;
  const out = (s: string, code?: number) => {
    spinner?.clear();
    o.write((code ? paint(code, s) : s) + '\n');
    o.log?.(s + '\n');
    spinner?.render();
  };
  /** Guard deadlines of the hosts in flight: the spinner shows the smallest remaining budget. */
  const deadlines = new Map<string, number>();
  const updateSpinner = () => {
    if (!spinner) return;
    const secs = Math.round((Date.now() - taskStarted) / 1000);
    const budget = deadlines.size > 0 ? `, guard budget ${Math.max(0, Math.round((Math.min(...deadlines.values()) - Date.now()) / 1000))}s` : '';
    spinner.text = `${taskName} — ${answered}/${expected} hosts answered, ${secs}s${budget}`;
  };
  const stopSpinner = () => {
    spinner?.stop();
    spinner = undefined;
  };
  // A dynamic include's own result, as Ansible prints it: `included: FILE for HOST` (per loop item);
  // an include_role prints nothing.
  const includedLines = (r: Record<string, unknown>, host: string) => {
    const parts = Array.isArray(r.results) ? (r.results as Record<string, unknown>[]) : [r];
    for (const p of parts) {
      if (typeof p.include !== 'string') continue;
      const loopVar = p.ansible_loop_var as string | undefined;
      const item = loopVar ? ` => (item=${itemLabel(p[loopVar])})` : '';
      out(`included: ${p.include} for ${host}${item}`, COLORS.skipped);
    }
  };
  const hostLine = (e: Extract<RunEvent, { kind: 'host-result' }>) => {
    const host = e.delegatedTo && e.delegatedTo !== e.host ? `${e.host} -> ${e.delegatedTo}` : e.host;
    const label = e.isItem ? `(item=${itemLabel(e.item)})` : '';
    const item = e.isItem ? ` => ${label}` : '';
    const r = e.result;
    const verbose = o.verbosity > 0 || alwaysShown(r);
    const debugOut = e.task.module === 'debug' && !r.failed && !r.skipped ? Object.fromEntries(Object.entries(r).filter(([k]) => !['changed', 'failed', 'ansible_loop_var', 'item', '_ansible_verbose_always'].includes(k) && !(e.isItem && k === (r.ansible_loop_var as string)))) : undefined;
    switch (e.status) {
      case 'ok':
      case 'changed': {
        if (r.include_args !== undefined || (Array.isArray(r.results) && r.results.some((x) => (x as Record<string, unknown> | null)?.include_args !== undefined))) {
          includedLines(r, host);
          break;
        }
        const detail = debugOut ? ` => ${pyJson(debugOut, 4)}` : verbose ? ` => ${resultJson(r, o.verbosity)}` : '';
        out(`${e.status}: [${host}]${item}${detail}`, COLORS[e.status]);
        break;
      }
      case 'skipped':
        out(`skipping: [${host}]${item}${verbose ? ` => ${resultJson(r, o.verbosity)}` : ''}`, COLORS.skipped);
        break;
      case 'unreachable':
        out(`fatal: [${host}]: UNREACHABLE! => ${resultJson(r, o.verbosity)}`, COLORS.unreachable);
        break;
      case 'failed':
      case 'ignored':
        out(e.isItem ? `failed: [${host}] ${label} => ${resultJson(r, o.verbosity)}` : `fatal: [${host}]: FAILED! => ${resultJson(r, o.verbosity)}`, COLORS.failed);
        if (e.status === 'ignored' && !e.isItem) out('...ignoring', COLORS.ignored);
        break;
    }
  };
  return (e: RunEvent) => {
    switch (e.kind) {
      case 'run-start':
        break;
      case 'play-start':
        stopSpinner();
        out(banner(`PLAY [${e.name}]`));
        break;
      case 'no-hosts':
        out('skipping: no hosts matched', COLORS.skipped);
        break;
      case 'batch-start':
        deadlines.clear();
        stopSpinner();
        out(banner(`BATCH ${e.index}/${e.total} [${e.hosts.join(', ')}]`));
        break;
      case 'task-start':
        stopSpinner();
        out(banner(`${e.task.handler ? 'RUNNING HANDLER' : 'TASK'} [${e.task.name}]`));
        taskName = e.task.name;
        answered = 0;
        expected = e.hosts.length;
        taskStarted = Date.now();
        if (o.tty) {
          spinner = ora({ text: '', stream: process.stderr, discardStdin: false }).start();
          updateSpinner();
        }
        break;
      case 'host-result': {
        if (e.loopSummary) {
          // As Ansible's callback after a loop's item lines: `skipping: [HOST]` when every item was skipped
          // (v2_runner_on_skipped), `...ignoring` after an ignored failure (v2_runner_on_failed)
          if (e.status === 'skipped') out(`skipping: [${e.host}]${o.verbosity > 0 ? ` => ${resultJson(e.result, o.verbosity)}` : ''}`, COLORS.skipped);
          else if (e.status === 'ignored') out('...ignoring', COLORS.ignored);
          if (!e.isItem) answered++;
          updateSpinner();
          break;
        }
        const diffs = e.result.diff as FileDiff[] | { before?: unknown; after?: unknown } | undefined;
        if (Array.isArray(diffs)) for (const d of diffs) out(unifiedDiff(d));
        else if (diffs && typeof diffs === 'object') {
          const d = serializedDiff(diffs);
          if (d.before !== d.after) out(unifiedDiff(d));
        }
        hostLine(e);
        if (!e.isItem) answered++;
        updateSpinner();
        break;
      }
      case 'retry':
        // Ansible's default callback: on stdout, in its debug colour (dark gray)
        out(`FAILED - RETRYING: [${e.host}]: ${e.taskName} (${e.retriesLeft} retries left).`, 90);
        break;
      case 'verbose':
        if (o.verbosity >= e.level) out(`<${e.host}> ${e.message}`);
        break;
      case 'warning':
        spinner?.clear();
        o.writeErr(paint(COLORS.warn, `[WARNING]: ${e.message}`) + '\n');
        o.log?.(`[WARNING]: ${e.message}\n`);
        spinner?.render();
        break;
      case 'guard':
        if (e.phase === 'deadline-start' && e.host && e.deadlineAt) deadlines.set(e.host, e.deadlineAt);
        else if (e.phase === 'deadline-hit') {
          if (e.host) deadlines.delete(e.host);
          out(`guard: ${e.message}`, COLORS.failed);
        } else if (e.phase === 'failed') out(`guard: ${e.message}`, COLORS.failed);
        else if (e.phase === 'setup' || e.phase === 'precheck' || e.phase === 'teardown') {
          if (e.phase !== 'precheck') deadlines.clear();
          stopSpinner();
          out(banner(`GUARD ${e.phase.toUpperCase()} [${e.name}]`));
        }
        break;
      case 'stopped':
        stopSpinner();
        out(banner(`STOPPED [${e.reason}]`), COLORS.failed);
        break;
      case 'play-end':
        stopSpinner();
        break;
      case 'recap':
        stopSpinner();
        out(banner('PLAY RECAP'));
        for (const [host, s] of Object.entries(e.stats)) out(recapLine(host, s), s.failures || s.unreachable ? COLORS.failed : s.changed ? COLORS.changed : COLORS.ok);
        if (o.showCustomStats && e.customStats) {
          out(banner('CUSTOM STATS:'));
          for (const host of Object.keys(e.customStats).sort()) if (host !== '_run') out(`\t${host}: ${statsJson(e.customStats[host])}`);
          if (e.customStats._run) out(`\n\tRUN: ${statsJson(e.customStats._run)}`);
        }
        out('');
        break;
    }
  };
}
