import { runCli, parseRecap, type CliRun } from '../helpers/cli.js';
import type { Lab } from '../../src/lab/lab.js';
import { sshRun } from '../../src/lab/ssh.js';

export { parseRecap };

/** Run a playbook of playbooks/ against the lab, as an operator would. */
export function play(lab: Lab, playbook: string, args: string[] = [], opts: Parameters<typeof runCli>[1] = {}): Promise<CliRun> {
  return runCli([`playbooks/${playbook}`, '-i', lab.inventory, ...args], { timeoutMs: 400_000, ...opts });
}

/** Sum of changed= over the recap's hosts. */
export function changedTotal(run: CliRun): number {
  return Object.values(parseRecap(run.stdout)).reduce((n, c) => n + (c.changed ?? 0), 0);
}

export const sh = (lab: Lab, host: string, script: string): Promise<string> => sshRun(lab.fleet, host, script);

export interface Action {
  time: string;
  host: string;
  text: string;
}

/** The action logs of these hosts merged in time order (ISO timestamps with ms sort as text). */
export function actions(lab: Lab, hosts: string[]): Action[] {
  return hosts
    .flatMap((host) =>
      lab.actions(host).map((line) => {
        const i = line.indexOf(' ');
        return { time: line.slice(0, i), host, text: line.slice(i + 1) };
      }),
    )
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

/** Intervals [from, to) of each host between an action matching `start` and the next matching `end`. */
export function intervals(list: Action[], start: RegExp, end: RegExp): { host: string; from: string; to: string }[] {
  const open = new Map<string, string>();
  const out: { host: string; from: string; to: string }[] = [];
  for (const a of list) {
    if (start.test(a.text) && !open.has(a.host)) open.set(a.host, a.time);
    else if (end.test(a.text) && open.has(a.host)) {
      out.push({ host: a.host, from: open.get(a.host)!, to: a.time });
      open.delete(a.host);
    }
  }
  for (const [host, from] of open) out.push({ host, from, to: '9999' });
  return out;
}

/** Pairs of intervals of different hosts that overlap. */
export function overlaps(list: { host: string; from: string; to: string }[]): string[] {
  const bad: string[] = [];
  for (const a of list) for (const b of list) if (a.host < b.host && a.from < b.to && b.from < a.to) bad.push(`${a.host} [${a.from}, ${a.to}) and ${b.host} [${b.from}, ${b.to})`);
  return bad;
}
