import type { Inventory } from '../inventory/inventory.js';
import type { Item, Playbook } from '../playbook/types.js';
import { playHosts } from '../executor/run.js';
import type { RunOptions } from '../executor/options.js';
import { includeInfo, taskInfo } from '../executor/result.js';
import { tagsSelected } from '../executor/inherit.js';
import { isTemplate, renderValue } from '../template/render.js';
import type { Vars } from '../types.js';

/**
 * Tags as --list-tasks shows them: a templated tag rendered with the play's vars and the extra vars
 * (Ansible's host-less variables), a list or comma-separated result split into tags.
 */
function renderedTags(tags: string[], vars: Vars): string[] {
  return tags.flatMap((t) => {
    if (!isTemplate(t)) return [t];
    const v = renderValue(t, vars);
    return (Array.isArray(v) ? v.map(String) : String(v).split(',')).map((x) => x.trim()).filter(Boolean);
  });
}

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

/** Every task, depth first, with the tags of the blocks around it; an include decided at run time is listed itself. */
function tasksWithTags(items: Item[], outer: string[]): [{ name: string; tags: string[] }, string[]][] {
  return items.flatMap((i): [{ name: string; tags: string[] }, string[]][] => {
    if (i.kind === 'task') return [[{ name: taskInfo(i).name, tags: i.tags }, outer]];
    if (i.include?.deferred) return [[{ name: includeInfo(i.id, i.include, i.role, i.where).name, tags: i.tags }, outer]];
    return tasksWithTags([...i.block, ...i.rescue, ...i.always], [...outer, ...i.tags]);
  });
}

/** --list-tasks: every task a run would consider, with its tags. */
export function listTasks(playbooks: Playbook[], opts: RunOptions): string {
  const lines: string[] = [];
  for (const pb of playbooks) {
    lines.push('', `playbook: ${pb.file}`);
    pb.plays.forEach((play, i) => {
      lines.push('', `  play #${i + 1} (${[play.hosts].flat().join(',')}): ${play.name}\tTAGS: [${play.tags.join(',')}]`);
      lines.push('    tasks:');
      const vars: Vars = { ...(play.vars ?? {}), ...opts.extraVars };
      for (const [t, inherited] of tasksWithTags([...play.preTasks, ...play.tasks, ...play.postTasks], play.tags)) {
        // As ansible-playbook: the play's, blocks' and the task's tags, rendered, unique and sorted
        const tags = [...new Set(renderedTags([...inherited, ...t.tags], vars))].sort();
        if (!tagsSelected(tags, opts.tags, opts.skipTags)) continue;
        lines.push(`      ${t.name}\tTAGS: [${tags.join(', ')}]`);
      }
    });
  }
  return lines.join('\n') + '\n';
}
