/**
 * The one glob matcher, in the two dialects tsplay meets:
 * - `globToRegExp`: Python's fnmatch (`*`, `?`, `[seq]`, `[!seq]`), as Ansible uses it: host patterns,
 *   find's patterns, apt's version wildcards, setup's filter, postgresql_info's filter.
 * - `wildcardRegExp`: OpenSSH's match_pattern (`*` and `?` only, anything else literal): ssh_config
 *   Host and Include, known_hosts host fields.
 */

/** Python's fnmatch.translate: `*`, `?`, `[seq]`, `[!seq]`, whole-string, case-sensitive. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      let j = i + 1;
      if (glob[j] === '!') j++;
      if (glob[j] === ']') j++;
      while (j < glob.length && glob[j] !== ']') j++;
      if (j >= glob.length) re += '\\[';
      else {
        let body = glob.slice(i + 1, j).replace(/\\/g, '\\\\');
        if (body[0] === '!') body = '^' + body.slice(1);
        else if (body[0] === '^') body = '\\' + body;
        re += `[${body}]`;
        i = j;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^(?:${re})$`, 's');
}

/** OpenSSH's `*` and `?` (no character classes), whole-string; `ignoreCase` as known_hosts compares names. */
export function wildcardRegExp(pattern: string, { ignoreCase = false }: { ignoreCase?: boolean } = {}): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, ignoreCase ? 'i' : '');
}
