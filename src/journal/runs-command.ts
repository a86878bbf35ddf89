import type { Command } from 'commander';

/** `tsplay runs` (list past runs) and `tsplay runs show ID`. Stub until the journal lands. */
export function registerRunsCommand(_program: Command, _setCode: (code: number) => void): void {}
