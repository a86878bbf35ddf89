import type { Command } from 'commander';

/** `tsplay schedule jobs.yml`. Stub until the scheduler lands. */
export function registerScheduleCommand(_program: Command, _setCode: (code: number) => void): void {}
