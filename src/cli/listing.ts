import type { Inventory } from '../inventory/inventory.js';
import type { Playbook } from '../playbook/types.js';
import { allTasks, playHosts } from '../executor/run.js';
import type { RunOptions } from '../executor/options.js';
import { taskInfo } from '../executor/result.js';
import { tagsSelected } from '../executor/inherit.js';

/** --list-hosts, as ansible-playbook prints it. */
export function listHosts(playbooks: Playbook[], inventory: Inventory, opts: RunOptions, warn: (m: string) => void): string {
  const lines: string[] = [];
  for (const pb of playbooks) {
    lines.push('', `playbook: ${pb.file}`);
    pb.plays.forEach((play, i) => {
      const hosts = playHosts(inventory, play, opts, warn);
      lines.push('', `  play #${i + 1} (${[play.hosts].flat().join(',')}): ${play.name}\tTAGS: [${play.tags.join(',')}]`);
      lines.push(`    pattern: ${JSON.stringify([play.hosts].flat()).replace(/"/g, "'")}`);
      lines.push(`    hosts (${hosts.length}):`);
      for (const h of hosts) lines.push(`      ${h}`);
    });
  }
  return lines.join('\n') + '\n';
}

/** --list-tasks: every task a run would consider, with its tags. */
export function listTasks(playbooks: Playbook[], opts: RunOptions): string {
  const lines: string[] = [];
  for (const pb of playbooks) {
    lines.push('', `playbook: ${pb.file}`);
    pb.plays.forEach((play, i) => {
      lines.push('', `  play #${i + 1} (${[play.hosts].flat().join(',')}): ${play.name}\tTAGS: [${play.tags.join(',')}]`);
      lines.push('    tasks:');
      for (const t of allTasks([...play.preTasks, ...play.tasks, ...play.postTasks])) {
        const tags = [...new Set([...play.tags, ...t.tags])];
        if (!tagsSelected(tags, opts.tags, opts.skipTags)) continue;
        lines.push(`      ${taskInfo(t).name}\tTAGS: [${t.tags.join(', ')}]`);
      }
    });
  }
  return lines.join('\n') + '\n';
}
