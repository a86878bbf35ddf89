import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { reportWriteFailure } from './writer.js';
import { join } from 'node:path';
import { ExitCode, TsplayError } from '../errors.js';
import type { SavedHost } from '../executor/options.js';

export const STATE_FILE = 'state.json';
const STATE_FORMAT = 1;

/** The state file's content: every host's restorable state, as of the run's last task. */
export interface RunStateData {
  format: number;
  hosts: Record<string, SavedHost>;
}

/**
 * The restorable state beside a run's journal: registered values, set_facts and pending notifications
 * with their real values (the journal is for people and redacted; this file is for --resume). Readable by
 * its owner only (0600), rewritten whole and renamed into place after every change, so a controller killed
 * at any moment leaves the last complete state.
 */
export class StateFile {
  private readonly hosts: Record<string, SavedHost>;
  private readonly file: string;

  /** `base`: the state the resumed run ended with (hosts this run never touches keep theirs). */
  constructor(dir: string, base: Record<string, SavedHost> = {}) {
    this.file = join(dir, STATE_FILE);
    this.hosts = structuredClone(base);
    this.write();
  }

  /** One rewrite for all the hosts of a step (forty hosts are one write, not forty). */
  save(saved: Record<string, SavedHost>): void {
    Object.assign(this.hosts, saved);
    this.write();
  }

  private failed = false;

  private write(): void {
    if (this.failed) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify({ format: STATE_FORMAT, hosts: this.hosts } satisfies RunStateData), { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (e) {
      // a full disk: the last complete state stays; the run is told (and stops safely), never crashed
      this.failed = true;
      rmSync(tmp, { force: true });
      reportWriteFailure(this.file, e as NodeJS.ErrnoException);
    }
  }
}

/** A run's state file, or undefined when it has none (a journal from before state files). */
export function readStateFile(runDir: string): Record<string, SavedHost> | undefined {
  const file = join(runDir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as RunStateData;
    if (data.format !== STATE_FORMAT || typeof data.hosts !== 'object') throw new Error(`unknown format ${String(data.format)}`);
    return data.hosts;
  } catch (e) {
    throw new TsplayError(`cannot read the run's state file: ${(e as Error).message}`, { code: ExitCode.error, where: { file } });
  }
}
