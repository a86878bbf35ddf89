import { TsplayError } from '../errors.js';
import { shellSplit } from '../util/shlex.js';

/** What an ssh command line (Ansible's ssh_args / ssh_common_args / ssh_extra_args) says. */
export interface SshArgs {
  /** -F FILE */
  configFile?: string;
  /** -o Key=Value (and the short options that mean one), lower-case keys, first value wins. */
  options: Record<string, string>;
  /** -i FILE and -o IdentityFile=FILE, in order. */
  identityFiles: string[];
}

/** ssh's options that take an argument; the ones tsplay has no use for are skipped with it. */
const WITH_ARG = new Set('BbcDEeFIiJLlmOopQRSWw'.split(''));
const SHORT_AS_OPTION: Record<string, string> = { J: 'proxyjump', l: 'user', p: 'port' };

/** Parse ssh arguments. `what` names the variable, for the one-line error. */
export function parseSshArgs(texts: (string | undefined)[], what: string): SshArgs {
  const out: SshArgs = { options: {}, identityFiles: [] };
  const set = (key: string, value: string) => {
    const k = key.toLowerCase();
    if (k === 'identityfile') out.identityFiles.push(value);
    else if (!(k in out.options)) out.options[k] = value;
  };
  for (const text of texts) {
    if (text === undefined || text.trim() === '') continue;
    let argv: string[];
    try {
      argv = shellSplit(text);
    } catch (e) {
      throw new TsplayError(`${what}: ${(e as Error).message} in ${JSON.stringify(text)}`);
    }
    for (let i = 0; i < argv.length; i++) {
      const word = argv[i]!;
      if (!word.startsWith('-') || word.length < 2) continue;
      // a cluster of flags (-tt, -A, -Ao X): the first option taking an argument ends it
      for (let j = 1; j < word.length; j++) {
        const flag = word[j]!;
        if (flag === 'A') set('forwardagent', 'yes');
        else if (flag === 'a') set('forwardagent', 'no');
        if (!WITH_ARG.has(flag)) continue;
        let arg = word.slice(j + 1);
        if (arg === '') {
          arg = argv[++i] ?? '';
          if (arg === '') throw new TsplayError(`${what}: option -${flag} needs a value`);
        }
        if (flag === 'o') {
          const m = /^\s*([A-Za-z]+)\s*(?:=\s*|\s+)(.*)$/.exec(arg);
          if (!m) throw new TsplayError(`${what}: -o ${arg}: expected Key=Value`);
          set(m[1]!, m[2]!.trim().replace(/^"(.*)"$/, '$1'));
        } else if (flag === 'F') out.configFile ??= arg;
        else if (flag === 'i') out.identityFiles.push(arg);
        else if (SHORT_AS_OPTION[flag]) set(SHORT_AS_OPTION[flag]!, arg);
        break;
      }
    }
  }
  return out;
}
