import type { Command } from 'commander';

/** Kept here, not imported from the lab: --help must not load it. */
const LAB_DIR = '.lab';

/** `tsplay lab up|down`: a site of the seed procedures on local OpenSSH test hosts (root needed). */
export function registerLabCommand(program: Command, setCode: (code: number) => void): void {
  const lab = program.command('lab').description('bring a local lab of a site up or down (OpenSSH test hosts on 127.x; needs root)');
  lab
    .command('up')
    .description('start the lab and stay in the foreground until Ctrl-C or `tsplay lab down`')
    .option('--site <site>', 'a site under inventory/ or an inventory directory', 'site-a')
    .option('--dir <dir>', 'where the lab keeps its hosts, keys and inventory', LAB_DIR)
    .action(async (flags: { site?: string; dir?: string }) => setCode(await (await import('../lab/command.js')).labUp(flags)));
  lab
    .command('down')
    .description('stop the lab started in --dir: its daemons, hosts and database')
    .option('--dir <dir>', 'the lab directory', LAB_DIR)
    .action(async (flags: { dir?: string }) => setCode(await (await import('../lab/command.js')).labDown(flags)));
}
