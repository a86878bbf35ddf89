/**
 * Split a command line into words as a POSIX shell would (quotes and backslashes),
 * without expanding anything. Used by the `command` module, which runs its words
 * without a shell, so `$HOME` or `;` stay literal — as in Ansible.
 */
export function shellSplit(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated single quote');
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) i++;
        cur += line[i];
        i++;
      }
      if (i >= line.length) throw new Error('unterminated double quote');
      inWord = true;
      i++;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/**
 * Ansible's free-form arguments: `ls -l creates=/x chdir=/tmp` → the command text and the k=v
 * options the module knows. Quoted values (`chdir="/a b"`) are unquoted.
 */
export function splitFreeForm(text: string, keys: readonly string[]): { raw: string; options: Record<string, string> } {
  const options: Record<string, string> = {};
  if (keys.length === 0) return { raw: text.trim(), options };
  // a value is quoted text, or a run of non-space characters in which {{ ... }} stays whole (spaces and all)
  const re = new RegExp(`(^|\\s)(${keys.join('|')})=("[^"]*"|'[^']*'|(?:\\{\\{[\\s\\S]*?\\}\\}|[^\\s{]|\\{(?!\\{))+)`, 'g');
  const raw = text
    .replace(re, (_m, lead: string, key: string, value: string) => {
      options[key] = /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
      return lead;
    })
    .trim();
  return { raw, options };
}
