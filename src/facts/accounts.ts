import { quote } from '../util/quote.js';

/** One /etc/passwd entry, as `getent passwd` prints it. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  comment: string;
  home: string;
  shell: string;
}

/** One /etc/group entry. */
export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** What the user and group modules read: the user's passwd and shadow entries, and every group. */
export interface AccountFacts {
  user?: PasswdEntry;
  /** The user's shadow password field ('' when there is no shadow entry). */
  password: string;
  /** Days since the epoch when the account expires (shadow field 8), -1 when never. */
  expires: number;
  groups: GroupEntry[];
  /** The directory the user's home would be (the asked one, or the current one) exists. */
  homeExists?: boolean;
}

/**
 * One round trip: `@passwd=` / `@shadow=` lines for the user and `@group=` lines for every group
 * (supplementary membership and group names/gids are decided from them on the controller).
 */
export function accountProbeCommand(user: string | undefined, home?: string): string {
  const lines: string[] = [];
  if (user !== undefined) {
    lines.push(`getent passwd -- ${quote(user)} | sed 's/^/@passwd=/'`);
    lines.push(`getent shadow -- ${quote(user)} 2>/dev/null | sed 's/^/@shadow=/'`);
  }
  lines.push(`getent group | sed 's/^/@group=/'`);
  if (home !== undefined) lines.push(`if [ -d ${quote(home)} ]; then echo @home=yes; else echo @home=no; fi`);
  lines.push('true');
  return lines.join('\n');
}

/** A home dir probe for the user's current home (after the passwd entry is known). */
export function homeProbeCommand(home: string): string {
  return `if [ -d ${quote(home)} ]; then echo @home=yes; else echo @home=no; fi`;
}

export function parsePasswdLine(line: string): PasswdEntry | undefined {
  const f = line.split(':');
  if (f.length < 7) return undefined;
  return { name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), comment: f[4]!, home: f[5]!, shell: f.slice(6).join(':') };
}

export function parseGroupLine(line: string): GroupEntry | undefined {
  const f = line.split(':');
  if (f.length < 4) return undefined;
  return { name: f[0]!, gid: Number(f[2]), members: f[3]!.split(',').filter(Boolean) };
}

export function parseAccountProbe(stdout: string): AccountFacts {
  const facts: AccountFacts = { password: '', expires: -1, groups: [] };
  for (const line of stdout.split('\n')) {
    if (line.startsWith('@passwd=')) facts.user = parsePasswdLine(line.slice(8));
    else if (line.startsWith('@shadow=')) {
      const f = line.slice(8).split(':');
      facts.password = f[1] ?? '';
      facts.expires = f[7] ? Number(f[7]) : -1;
    } else if (line.startsWith('@group=')) {
      const g = parseGroupLine(line.slice(7));
      if (g) facts.groups.push(g);
    } else if (line.startsWith('@home=')) facts.homeExists = line.slice(6) === 'yes';
  }
  return facts;
}

/** A group by name or numeric id, as Ansible's group_exists/group_info look it up. */
export function findGroup(groups: GroupEntry[], nameOrGid: string): GroupEntry | undefined {
  if (/^\d+$/.test(nameOrGid)) return groups.find((g) => g.gid === Number(nameOrGid)) ?? groups.find((g) => g.name === nameOrGid);
  return groups.find((g) => g.name === nameOrGid);
}
