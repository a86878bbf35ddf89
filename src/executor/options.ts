import type { Vars } from '../types.js';

/** Everything the CLI decides for a run. */
export interface RunOptions {
  playbooks: string[];
  inventory: string[];
  extraVars: Vars;
  limit?: string;
  forks: number;
  check: boolean;
  diff: boolean;
  verbosity: number;
  tags: string[];
  skipTags: string[];
  startAtTask?: string;
  forceHandlers: boolean;
  listHosts?: boolean;
  listTasks?: boolean;
  syntaxCheck?: boolean;
  json?: boolean;
  /** Overrides (tests): where the connection layer looks for keys; default from env. */
  env?: NodeJS.ProcessEnv;
}

export const defaultRunOptions: Omit<RunOptions, 'playbooks' | 'inventory'> = {
  extraVars: {},
  forks: 5,
  check: false,
  diff: false,
  verbosity: 0,
  tags: [],
  skipTags: [],
  forceHandlers: false,
};
