import { basename } from 'node:path';
import type { HostStats } from '../report/events.js';
import type { RunAnalysis } from './analyze.js';
import type { JournalEnd, JournalRecord } from './records.js';

/** One line of `tsplay runs`. */
export interface RunSummary {
  id: string;
  playbook: string;
  job?: string;
  started: string;
  durationMs: number;
  /** The outcome from the journal's last line; 'killed' when the journal was cut short. */
  outcome: string;
  resumeOf?: string;
}

export function summarize(records: JournalRecord[], analysis: RunAnalysis): RunSummary {
  const end = records.find((r): r is JournalEnd => r.kind === 'journal-end');
  const start = analysis.start;
  const finish = end?.time ?? analysis.lastTime;
  return {
    id: start.id,
    playbook: start.playbooks.map((p) => basename(p)).join(' '),
    job: start.job,
    started: start.time,
    durationMs: Math.max(0, Date.parse(finish) - Date.parse(start.time)),
    outcome: end?.outcome ?? 'killed',
    resumeOf: start.resumeOf,
  };
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `tsplay runs`: a table, oldest first (like `ls -tr`: the newest is next to the prompt). */
export function formatRunList(runs: RunSummary[]): string {
  if (runs.length === 0) return 'no runs recorded\n';
  const withJob = runs.some((r) => r.job);
  const rows = runs.map((r) => [r.id, r.playbook, r.started.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), formatDuration(r.durationMs), r.outcome + (r.resumeOf ? ` (resumes ${r.resumeOf})` : ''), ...(withJob ? [r.job ?? '-'] : [])]);
  const head = ['ID', 'PLAYBOOK', 'STARTED', 'DURATION', 'OUTCOME', ...(withJob ? ['JOB'] : [])];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ') + '\n';
  return line(head) + rows.map(line).join('');
}

function recapLine(host: string, s: HostStats, width: number): string {
  return `${host.padEnd(width)} : ok=${s.ok} changed=${s.changed} unreachable=${s.unreachable} failed=${s.failures} skipped=${s.skipped} rescued=${s.rescued} ignored=${s.ignored}`;
}

/** `tsplay runs show ID`: what ran, its recap, its failures and where each host stopped. */
export function formatRunDetail(summary: RunSummary, a: RunAnalysis): string {
  const st = a.start;
  const out: string[] = [];
  out.push(`run ${st.id}${st.resumeOf ? ` (resumes ${st.resumeOf})` : ''}`);
  out.push(`playbook:   ${st.playbooks.join(' ')}`);
  out.push(`inventory:  ${st.inventory.join(' ') || '-'}`);
  out.push(`started:    ${st.time} by ${st.user}@${st.controller} (tsplay ${st.tsplay})${st.job ? `, job ${st.job}` : ''}`);
  out.push(`duration:   ${formatDuration(summary.durationMs)}`);
  out.push(`outcome:    ${summary.outcome}${summary.outcome === 'killed' ? ' (the journal ends without its last line: the controller was killed)' : ''}`);
  out.push(`sources:    ${Object.keys(st.files).length} files, sha256 ${st.hash.slice(0, 16)}`);
  if (a.stopped) out.push(`stopped:    ${a.stopped}`);
  if (a.interrupt) out.push(`signal:     ${a.interrupt.signal}${a.interrupt.inFlight.length ? ` during ${a.interrupt.inFlight.map((f) => `'${f.task.name}' on ${f.host}`).join(', ')}` : ' between tasks'}`);
  if (a.stats) {
    const hosts = Object.keys(a.stats);
    const w = Math.max(0, ...hosts.map((h) => h.length));
    out.push('', 'PLAY RECAP', ...hosts.map((h) => recapLine(h, a.stats![h]!, w)));
  }
  if (a.failures.length > 0) {
    out.push('', 'FAILURES');
    for (const f of a.failures) out.push(`${f.host}: task '${f.task}'${f.msg ? `: ${f.msg.split('\n')[0]}` : ''}`);
  }
  const where = whereStopped(a);
  if (where.length > 0) out.push('', 'WHERE IT STOPPED', ...where);
  if (!a.complete) out.push('', `continue with: tsplay ${st.playbooks.join(' ')}${st.inventory.map((i) => ` -i ${i}`).join('')} --resume ${st.id}`);
  return out.join('\n') + '\n';
}

function whereStopped(a: RunAnalysis): string[] {
  const out: string[] = [];
  const playName = (i: number) => `play ${i + 1} '${a.plays.get(i)?.name ?? '?'}'`;
  for (const [h, s] of a.stops) out.push(`${h}: ${playName(s.play)}, task '${s.taskName || '?'}' (${s.reason})`);
  for (const [h, p] of a.pending) if (!a.stops.has(h)) out.push(`${h}: ${playName(p.play)}, task '${p.name}' (running when the journal ends)`);
  if (!a.complete) {
    const last = Math.max(-1, ...a.plays.keys());
    const play = a.plays.get(last);
    if (play) {
      const started = new Set(play.batches.flat());
      const waiting = play.hosts.filter((h) => !started.has(h));
      if (waiting.length) out.push(`not started in ${playName(last)}: ${waiting.join(', ')}`);
    }
  }
  return out;
}
