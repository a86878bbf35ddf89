import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ParseError, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { loadYamlFile, sourceOf, sourceOfKey } from '../util/yaml.js';
import { cronTiming, everyTiming, parseEvery, type Timing } from './timing.js';

/** One scheduled job, validated, with paths resolved against the jobs file's directory. */
export interface Job {
  name: string;
  playbook: string;
  inventory: string[];
  limit?: string;
  extraVars: Vars;
  timing: Timing;
  /** Run a slot missed while the scheduler was down, once, at start (default true). */
  catchUp: boolean;
  /** Where the job is written (jobs file and line), for messages. */
  where: Source;
}

export interface JobsFile {
  file: string;
  jobs: Job[];
}

const JOB_KEYS = ['name', 'playbook', 'inventory', 'limit', 'extra_vars', 'cron', 'timezone', 'every', 'catch_up'];
/** Job names end up in env vars, file names and journal queries: keep them plain. */
const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Read and validate a jobs file:
 *
 *   jobs:
 *     - name: backup
 *       playbook: backup.yml          # relative to this file
 *       inventory: ../inventory/site.ini
 *       limit: em
 *       extra_vars: { backup_keep: 7 }
 *       cron: "30 2 * * *"            # or every: 15m
 *       timezone: Europe/Brussels
 *
 * (a bare list of jobs is accepted too). Every problem is a ParseError naming the job and line.
 */
export function loadJobs(file: string): JobsFile {
  const doc = loadYamlFile(file);
  let list: unknown = doc;
  if (isMap(doc)) {
    for (const key of Object.keys(doc)) {
      if (key !== 'jobs') throw new ParseError(`unknown top-level key '${key}' (expected 'jobs')`, sourceOfKey(doc, key) ?? { file });
    }
    list = doc.jobs;
  }
  if (!Array.isArray(list)) throw new ParseError("a jobs file is a list of jobs, or a mapping with a 'jobs' list", sourceOf(doc) ?? { file });
  const base = dirname(resolve(file));
  const jobs: Job[] = [];
  const seen = new Map<string, Source>();
  list.forEach((raw, i) => {
    const job = parseJob(raw, i, file, base);
    const earlier = seen.get(job.name);
    if (earlier) throw new ParseError(`duplicate job name '${job.name}' (first at line ${earlier.line ?? '?'})`, job.where, `job '${job.name}'`);
    seen.set(job.name, job.where);
    jobs.push(job);
  });
  return { file, jobs };
}

function parseJob(raw: unknown, index: number, file: string, base: string): Job {
  const where = sourceOf(raw) ?? { file };
  if (!isMap(raw)) throw new ParseError(`job #${index + 1} must be a mapping`, where);
  const label = typeof raw.name === 'string' ? `job '${raw.name}'` : `job #${index + 1}`;
  const fail = (key: string | undefined, msg: string): never => {
    throw new ParseError(msg, key ? (sourceOfKey(raw, key) ?? where) : where, label);
  };
  for (const key of Object.keys(raw)) {
    if (!JOB_KEYS.includes(key)) fail(key, `unknown key '${key}' (known: ${JOB_KEYS.join(', ')})`);
  }
  const str = (key: string, required: boolean): string | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return required ? fail(undefined, `missing '${key}'`) : undefined;
    if (typeof v !== 'string' || v.trim() === '') return fail(key, `'${key}' must be a non-empty string`);
    return v;
  };

  const name = str('name', true)!;
  if (!JOB_NAME.test(name)) fail('name', `job name '${name}' may only hold letters, digits, '.', '_' and '-'`);

  const playbookRaw = str('playbook', true)!;
  const playbook = isAbsolute(playbookRaw) ? playbookRaw : resolve(base, playbookRaw);
  if (!existsSync(playbook)) fail('playbook', `playbook not found: ${playbookRaw} (${playbook})`);

  const invRaw = raw.inventory;
  const invList = typeof invRaw === 'string' ? [invRaw] : invRaw;
  if (!Array.isArray(invList) || invList.length === 0 || invList.some((s) => typeof s !== 'string' || s.trim() === '')) {
    fail(invRaw === undefined ? undefined : 'inventory', invRaw === undefined ? "missing 'inventory'" : "'inventory' must be a path or a list of paths");
  }
  const inventory = (invList as string[]).map((s) => {
    // "h1,h2," is a host list, as with -i; anything else must exist.
    if (s.includes(',')) return s;
    const p = isAbsolute(s) ? s : resolve(base, s);
    if (!existsSync(p)) fail('inventory', `inventory not found: ${s} (${p})`);
    return p;
  });

  const limit = str('limit', false);
  const extraVars = raw.extra_vars ?? {};
  if (!isMap(extraVars)) fail('extra_vars', "'extra_vars' must be a mapping");
  const catchUp = raw.catch_up ?? true;
  if (typeof catchUp !== 'boolean') fail('catch_up', "'catch_up' must be true or false");

  const cron = raw.cron;
  const every = raw.every;
  const timezone = str('timezone', false);
  if ((cron === undefined) === (every === undefined)) fail(undefined, "give exactly one of 'cron' and 'every'");
  let timing: Timing;
  if (cron !== undefined) {
    if (typeof cron !== 'string') fail('cron', `'cron' must be a string such as "30 2 * * *" (quote it in YAML)`);
    try {
      timing = cronTiming(cron as string, timezone);
    } catch (e) {
      const msg = (e as Error).message.replace(/^CronPattern: /, '');
      const key = /time ?zone/i.test(msg) && timezone ? 'timezone' : 'cron';
      return fail(key, key === 'timezone' ? `bad time zone '${timezone}'` : `bad cron expression '${cron as string}': ${msg}`);
    }
  } else {
    if (timezone !== undefined) fail('timezone', "'timezone' only applies to 'cron'");
    const text = typeof every === 'number' ? `${every}` : every;
    const ms = typeof text === 'string' ? parseEvery(text) : undefined;
    if (ms === undefined) return fail('every', `bad interval '${String(every)}': write a number and a unit, e.g. 30s, 15m, 1h, 1d`);
    timing = everyTiming(text as string, ms);
  }
  return { name, playbook, inventory, limit, extraVars: extraVars as Vars, timing, catchUp: catchUp as boolean, where: { ...where, file } };
}
