import { createHash, randomInt } from 'node:crypto';
import { TsplayError } from '../errors.js';
import { sha512Crypt } from './crypt.js';
import { list, num, simple, text, type FuncDef } from './func-args.js';
import { toFloat, toInt, versionTest } from './values.js';

/** Filters of numbers, randomness, versions and hashes. */

function hashOf(v: unknown, algo: string): string {
  const known: Record<string, string> = { md5: 'md5', sha1: 'sha1', sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };
  const a = known[algo];
  if (!a) throw new TsplayError(`hash: unknown algorithm '${algo}'`);
  return createHash(a).update(text('hash', v), 'utf8').digest('hex');
}

const SALT_CHARS = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function passwordHash(v: unknown, scheme: unknown = 'sha512', salt?: unknown, rounds?: unknown): string {
  if (scheme !== 'sha512' && scheme !== 'sha512_crypt') throw new TsplayError(`password_hash: only sha512 is supported, not '${String(scheme)}'`);
  const s = salt === undefined || salt === null
    ? Array.from({ length: 16 }, () => SALT_CHARS[randomInt(SALT_CHARS.length)]).join('') : String(salt);
  return sha512Crypt(text('password_hash', v), s, rounds === undefined || rounds === null ? undefined : toInt(rounds));
}

export const MATH_FILTERS: Record<string, FuncDef> = {
  int: { min: 0, max: 2, kwargs: ['default', 'base'], fn: (v, [d, base], kw) => {
    const b = base ?? kw.base;
    if (b !== undefined && typeof v === 'string') {
      const n = Number.parseInt(v.trim().replace(/^0[xob]/i, ''), toInt(b));
      return Number.isNaN(n) ? toInt(d ?? kw.default ?? 0) : n;
    }
    return toInt(v, toInt(d ?? kw.default ?? 0));
  } },
  float: { min: 0, max: 1, fn: (v, [d]) => toFloat(v, d === undefined ? 0 : toFloat(d)) },
  abs: simple((v) => Math.abs(num('abs', v))),
  round: { min: 0, max: 2, kwargs: ['precision', 'method'], fn: (v, [p = 0, method = 'common']) => {
    const f = 10 ** toInt(p);
    const x = num('round', v) * f;
    const r = method === 'ceil' ? Math.ceil(x) : method === 'floor' ? Math.floor(x) : Math.sign(x) * Math.round(Math.abs(x));
    return r / f;
  } },
  random: { min: 0, max: 2, kwargs: ['start', 'step', 'seed'], fn: (v, _a, kw) => {
    if (typeof v === 'number') {
      const start = toInt(kw.start ?? 0);
      const step = toInt(kw.step ?? 1);
      const n = Math.ceil((v - start) / step);
      return start + randomInt(Math.max(1, n)) * step;
    }
    const xs = list('random', v);
    return xs[randomInt(xs.length)];
  } },
  version_compare: { min: 1, max: 2, fn: (v, [other, op]) => versionTest(v, other, op ?? 'eq') },
  hash: { min: 0, max: 1, fn: (v, [algo = 'sha1']) => hashOf(v, String(algo)) },
  checksum: simple((v) => hashOf(v, 'sha1')),
  md5: simple((v) => hashOf(v, 'md5')),
  sha1: simple((v) => hashOf(v, 'sha1')),
  password_hash: { min: 0, max: 3, kwargs: ['salt', 'rounds'], fn: (v, [scheme, salt, rounds], kw) => passwordHash(v, scheme, salt ?? kw.salt, rounds ?? kw.rounds) },
};
