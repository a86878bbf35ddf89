/**
 * Python's `shlex.split(line, comments=True)` (POSIX mode), which Ansible's INI parser uses
 * to cut a host line into words: quotes are removed, `\` escapes outside single quotes,
 * and an unquoted `#` ends the line even in the middle of a word.
 */
export function shlexSplit(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false; // a word has started (possibly empty, e.g. '')
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\') {
        // in double quotes a backslash escapes only " and \ (shlex.escapedquotes)
        const n = line[i + 1];
        if (n === undefined) throw new Error('No escaped character');
        if (n === '"' || n === '\\') {
          word += n;
          i++;
        } else word += c;
      } else word += c;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '#') {
      break;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      const n = line[i + 1];
      if (n === undefined) throw new Error('No escaped character');
      word += n;
      i++;
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error('No closing quotation');
  if (inWord) words.push(word);
  return words;
}
