/** Where a piece of configuration came from: file, 1-based line and column. */
export interface Source {
  file: string;
  line?: number;
  column?: number;
}

export function formatSource(where: Source | undefined): string {
  if (!where) return '';
  let s = where.file;
  if (where.line !== undefined) s += `:${where.line}`;
  if (where.line !== undefined && where.column !== undefined) s += `:${where.column}`;
  return s;
}

/** Exit codes as ansible-playbook uses them. */
export const ExitCode = {
  ok: 0,
  error: 1,
  hostFailed: 2,
  unreachableOrParse: 4,
  badOptions: 5,
  interrupted: 99,
  unexpected: 250,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Every error a user can cause: it carries its exit code and where it came from,
 * and the CLI prints it as one line (never a stack trace).
 */
export class TsplayError extends Error {
  readonly code: ExitCodeValue;
  readonly where?: Source;
  /** Extra context, e.g. the task name, shown after the location. */
  readonly context?: string;

  constructor(message: string, opts: { code?: ExitCodeValue; where?: Source; context?: string } = {}) {
    super(message);
    this.name = 'TsplayError';
    this.code = opts.code ?? ExitCode.error;
    this.where = opts.where;
    this.context = opts.context;
  }

  /** One line: "file:line:col: (task 'x') message". */
  describe(): string {
    const loc = formatSource(this.where);
    const ctx = this.context ? `${this.context}: ` : '';
    return `${loc ? loc + ': ' : ''}${ctx}${this.message}`;
  }
}

/** A playbook, inventory or template that does not parse or validate (exit 4, like Ansible). */
export class ParseError extends TsplayError {
  constructor(message: string, where?: Source, context?: string) {
    super(message, { code: ExitCode.unreachableOrParse, where, context });
    this.name = 'ParseError';
  }
}
