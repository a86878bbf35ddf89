import { TsplayError } from '../errors.js';
import { PyDateTime, strftime, strptime } from './datetime.js';
import { text, type FuncDef } from './func-args.js';
import { pyStr, toFloat, truthy } from './values.js';

/** Filters of dates and times (the datetime methods are in expr-methods.ts, now() in expr-funcs.ts). */

export const DATETIME_FILTERS: Record<string, FuncDef> = {
  // Ansible's: '2016-06-06 20:00:00' | to_datetime, and '%Y-%m-%d' | strftime(epoch, utc=false) (time.strftime: no %f)
  to_datetime: { min: 0, max: 1, kwargs: ['format'], fn: (v, [fmt], kw) => strptime(text('to_datetime', v), String(fmt ?? kw.format ?? '%Y-%m-%d %H:%M:%S')) },
  strftime: { min: 0, max: 2, kwargs: ['second', 'utc'], fn: (v, [second, utc], kw) => {
    const s = second ?? kw.second;
    const at = s === undefined || s === null ? Date.now() / 1000 : toFloat(s, NaN);
    if (Number.isNaN(at)) throw new TsplayError(`strftime: Invalid value for epoch value (${pyStr(s)})`);
    return strftime(PyDateTime.fromEpoch(Math.floor(at), truthy(utc ?? kw.utc)), text('strftime', v), true);
  } },
};
