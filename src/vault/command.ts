import type { Command } from 'commander';
import type { VaultFlags } from './vault-cli.js';

const impl = () => import('./vault-cli.js');
const collect = (v: string, prev: string[]) => [...prev, v];

/** `tsplay vault encrypt|decrypt|view|edit|encrypt_string|rekey`, as ansible-vault. */
export function registerVaultCommand(program: Command, setCode: (code: number) => void): void {
  const vault = program.command('vault').description('encrypt and decrypt Ansible Vault files and values (as ansible-vault)');
  const common = (c: Command) =>
    c
      .exitOverride()
      .option('--vault-id <id>', 'a vault id: LABEL@FILE, LABEL@prompt, or FILE (repeatable)', collect, [])
      .option('--vault-password-file <file>', 'vault password file, or an executable that prints it (repeatable)', collect, [])
      .option('-J, --ask-vault-pass', 'ask for the vault password');
  const encrypting = (c: Command) => c.option('--encrypt-vault-id <id>', 'the vault id to encrypt with (when several are given)');
  const run = (name: keyof Awaited<ReturnType<typeof impl>>['actions']) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      setCode(await (await impl()).actions[name](cmd.args, cmd.opts<VaultFlags>()));
    };
  encrypting(common(vault.command('encrypt').description('encrypt files in place (or to --output)').argument('[files...]')))
    .option('--output <file>', "write here instead ('-' for stdout)")
    .action(run('encrypt'));
  common(vault.command('decrypt').description('decrypt files in place (or to --output)').argument('[files...]'))
    .option('--output <file>', "write here instead ('-' for stdout)")
    .action(run('decrypt'));
  common(vault.command('view').description('print decrypted files').argument('<files...>')).action(run('view'));
  encrypting(common(vault.command('edit').description('decrypt into $EDITOR, encrypt again on save').argument('<file>'))).action(run('edit'));
  encrypting(common(vault.command('encrypt_string').description('encrypt a value for a YAML file (!vault)').argument('[strings...]')))
    .option('-n, --name <name>', 'the variable name(s), in the order of the values', collect, [])
    .option('-p, --prompt', 'ask for the value')
    .option('--stdin-name <name>', 'read the value from stdin and name it')
    .action(run('encrypt_string'));
  encrypting(common(vault.command('rekey').description('encrypt files again with a new password').argument('<files...>')))
    .option('--new-vault-password-file <file>', 'the new vault password file')
    .option('--new-vault-id <id>', 'the new vault id: LABEL@SOURCE')
    .action(run('rekey'));
}
