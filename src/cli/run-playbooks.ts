import { toBool } from '../util/bool.js';
import { appendFileSync } from 'node:fs';
import { ExitCode, TsplayError } from '../errors.js';
import { defaultRunOptions, type RunOptions } from '../executor/options.js';
import { executeRun, prepareRun } from '../executor/run.js';
import { parseExtraVars } from './extra-vars.js';
import { listHosts, listTasks } from './listing.js';
import { consoleReporter } from '../report/console.js';
import { jsonReporter } from '../report/json.js';
import type { Reporter } from '../report/events.js';
import { runRedactor, startJournal } from '../journal/session.js';
import { graceMs, watchSignals } from '../journal/signals.js';
import { onWriteFailure } from '../journal/writer.js';
import { exitAfterDrain } from './exit.js';
import { teardownTracker } from './teardowns.js';
import { commandsSettled, killAll, setCommandMarker } from '../connection/in-flight.js';
import { killLeftovers } from './leftovers.js';
import { checkPlaybookFile, checkRunOptions, checkStartAtTask } from './option-checks.js';
import { useVaultFlags } from '../vault/sources.js';
import { askSecret } from '../util/prompt.js';
import type { Inventory } from '../inventory/inventory.js';
import { checkTemplateFiles } from '../playbook/template-files.js';

const stdout = (s: string) => process.stdout.write(s);
/** After a second Ctrl-C: how long to wait for the commands in flight to be killed on their hosts. */
const KILL_WAIT_MS = 7_000;
const stderr = (s: string) => process.stderr.write(s);
const warn = (m: string) => stderr(`[WARNING]: ${m}\n`);

export interface PlaybookFlags {
  inventory: string[];
  extraVars: string[];
  limit?: string;
  forks: string;
  check?: boolean;
  diff?: boolean;
  verbose: number;
  syntaxCheck?: boolean;
  listHosts?: boolean;
  listTasks?: boolean;
  json?: boolean;
  tags: string[];
  skipTags: string[];
  startAtTask?: string;
  forceHandlers?: boolean;
  logFile?: string;
  resume?: string;
  force?: boolean;
  events?: string;
  journalDir?: string;
  vaultId?: string[];
  vaultPasswordFile?: string[];
  askVaultPass?: boolean;
  askPass?: boolean;
  askBecomePass?: boolean;
}

/** -k / -K, then the vault passwords, asked in Ansible's order before anything is loaded. */
async function askPasswords(f: PlaybookFlags): Promise<{ ssh?: string; become?: string }> {
  const ssh = f.askPass ? await askSecret('SSH password: ') : undefined;
  const become = f.askBecomePass ? await askSecret('BECOME password[defaults to SSH password]: ') : undefined;
  await useVaultFlags(f);
  return { ...(ssh !== undefined ? { ssh } : {}), ...(become !== undefined ? { become: become === '' && ssh !== undefined ? ssh : become } : {}) };
}

/**
 * Passwords from the prompts are the lowest-precedence default, as in Ansible: a host's own
 * ansible_password / ansible_become_password wins. Then every host's variables are read now, so a
 * vault file that cannot be decrypted fails the run before any host is contacted.
 */
function applyPasswords(inventory: Inventory, pw: { ssh?: string; become?: string }): void {
  const all = inventory.groups.get('all')?.vars;
  if (all) {
    if (pw.ssh !== undefined && all.ansible_password === undefined && all.ansible_ssh_pass === undefined) all.ansible_password = pw.ssh;
    if (pw.become !== undefined && all.ansible_become_password === undefined && all.ansible_become_pass === undefined) all.ansible_become_password = pw.become;
  }
  for (const h of inventory.hostOrder) inventory.hostVars(h);
}

function toRunOptions(playbooks: string[], f: PlaybookFlags): RunOptions {
  const forks = Number(f.forks);
  if (!Number.isInteger(forks) || forks < 1) throw new TsplayError(`--forks must be a positive integer, got '${f.forks}'`, { code: ExitCode.badOptions });
  for (const p of playbooks) checkPlaybookFile(p);
  checkRunOptions(f);
  const split = (l: string[]) => l.flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  return {
    ...defaultRunOptions,
    playbooks,
    inventory: f.inventory,
    extraVars: parseExtraVars(f.extraVars),
    limit: f.limit,
    forks,
    check: !!f.check,
    diff: !!f.diff,
    verbosity: f.verbose,
    tags: split(f.tags),
    skipTags: split(f.skipTags),
    startAtTask: f.startAtTask,
    forceHandlers: !!f.forceHandlers,
    ...ansibleSetting('ANSIBLE_ERROR_ON_MISSING_HANDLER', 'errorOnMissingHandler'),
    ...ansibleSetting('ANSIBLE_INJECT_FACT_VARS', 'injectFactVars'),
    json: !!f.json,
    resumeId: f.resume,
    force: !!f.force,
    events: f.events,
    journalDir: f.journalDir ?? process.env.TSPLAY_JOURNAL_DIR,
    job: process.env.TSPLAY_JOB,
  };
}

/** An Ansible boolean setting given in the environment: the option it sets, or nothing when unset. */
function ansibleSetting(env: string, option: 'errorOnMissingHandler' | 'injectFactVars'): Partial<RunOptions> {
  const raw = process.env[env];
  if (raw === undefined || raw === '') return {};
  const v = toBool(raw);
  if (v === undefined) throw new TsplayError(`${env}: '${raw}' is not a boolean (true/false, yes/no, on/off, 1/0)`, { code: ExitCode.badOptions });
  return { [option]: v };
}

export async function runPlaybooks(playbooks: string[], f: PlaybookFlags): Promise<number> {
  if (playbooks.length === 0) throw new TsplayError('no playbook given (usage: tsplay PLAYBOOK... -i INVENTORY)', { code: ExitCode.badOptions });
  const opts = toRunOptions(playbooks, f);
  const passwords = await askPasswords(f);
  const { playbooks: loaded, inventory } = await prepareRun(opts, warn);
  checkStartAtTask(loaded, opts.startAtTask);
  applyPasswords(inventory, passwords);
  if (f.syntaxCheck) {
    for (const pb of loaded) checkTemplateFiles(pb);
    // each playbook named as it was given, as ansible-playbook names it
    for (const p of playbooks) stdout(`\nplaybook: ${p}\n`);
    return ExitCode.ok;
  }
  if (f.listHosts || f.listTasks) {
    const named = loaded.map((pb, i) => ({ ...pb, file: playbooks[i] ?? pb.file }));
    if (f.listHosts) stdout(listHosts(named, inventory, opts, warn));
    if (f.listTasks) stdout(listTasks(named, opts));
    return ExitCode.ok;
  }
  const tty = !!process.stdout.isTTY && !process.env.CI;
  // A journal that cannot be written (full disk) stops the run as a first Ctrl-C does: no new task,
  // but commands in flight finish and always sections and guard teardowns run. Said once, exit 1.
  let journalFault: string | undefined;
  let stopRun: ((reason: string) => void) | undefined;
  const offFault = onWriteFailure((file, err) => {
    if (journalFault) return;
    journalFault = `${file}: ${err.code ?? err.message}`;
    stderr(`\n[tsplay] the run journal cannot be written (${journalFault}): stopping — no new tasks; always sections and guard teardowns still run.\n`);
    stopRun?.('journal write failed');
  });
  const log = f.logFile ? (s: string) => appendFileSync(f.logFile!, s) : undefined;
  const redactor = runRedactor(opts, loaded, inventory);
  let journal: Awaited<ReturnType<typeof startJournal>>;
  try {
    journal = await startJournal(opts, loaded, inventory, warn, redactor);
  } catch (e) {
    offFault();
    throw e;
  }
  if (journal.resume) opts.resume = journal.resume;
  // every remote command leaves a marker of this run while it runs; a resume first kills the old run's
  setCommandMarker(journal.id);
  if (journal.resumedRuns) await killLeftovers(inventory, journal.resumedRuns, opts.forks, stderr, warn);
  opts.hooks = journal.hooks;
  // set_stats data is shown after the recap when asked for, as Ansible's show_custom_stats.
  const showCustomStats = toBool(process.env.ANSIBLE_SHOW_CUSTOM_STATS ?? '') === true;
  // `--events -` owns stdout: the human output moves to stderr.
  const out = opts.events === '-' ? stderr : stdout;
  const shown: Reporter = opts.json
    ? jsonReporter(out, showCustomStats)
    : consoleReporter({ verbosity: opts.verbosity, tty, color: tty && !process.env.NO_COLOR, write: out, writeErr: stderr, log, showCustomStats });
  // Secrets are hidden in every output: console (every -v level), --log-file and --json too.
  const display: Reporter = (e) => shown(redactor.redact(e));
  // The journal records first: a controller killed right after an event still has it on disk.
  // The redactor also knows every decrypted vault value: no output sees one.
  const owed = teardownTracker(loaded);
  const reporter: Reporter = (event) => {
    journal.reporter(event);
    owed.see(event);
    display(event);
  };
  const interrupts = watchSignals({
    graceMs: graceMs(),
    onStop: (sig) => {
      stderr(`\n[tsplay] ${sig}: stopping — no new tasks. ${sig === 'SIGINT' ? 'Ctrl-C again to abort at once.' : ''}\n`);
      journal.interrupted(sig, 'stop');
    },
    onAbort: (sig) => {
      const killing = killAll();
      stderr(`\n[tsplay] ${sig} again: aborting at once (journal ${journal.id})${killing > 0 ? `; killing ${killing} command${killing > 1 ? 's' : ''} in flight on the hosts` : ''}.\n`);
      journal.interrupted(sig, 'abort');
      const skipped = owed.skipped();
      if (skipped.length > 0) stderr(`[tsplay] skipped: ${skipped.join('; ')} — the hosts may need it done by hand.\n`);
      // the kills (the whole process group of each command) must reach the hosts before we leave
      void commandsSettled(KILL_WAIT_MS).then(async () => {
        await journal.close();
        exitAfterDrain(ExitCode.interrupted);
      });
    },
  });
  stopRun = (reason) => interrupts.stopFor(reason);
  if (journalFault) interrupts.stopFor('journal write failed');
  try {
    const outcome = await executeRun(opts, loaded, inventory, reporter, interrupts.stop, interrupts.kill);
    if (journalFault && (outcome.exitCode === ExitCode.ok || outcome.exitCode === ExitCode.interrupted)) return ExitCode.error;
    return outcome.exitCode;
  } finally {
    interrupts.dispose();
    offFault();
    await journal.close();
  }
}

