import { createHash } from 'node:crypto';

/**
 * SHA-512 crypt ("$6$", Ulrich Drepper's specification), the scheme of Ansible's
 * `password_hash('sha512')` and of /etc/shadow. Node has no crypt(3); this is the reference
 * algorithm, checked against Python's crypt in the fixtures.
 */
const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ORDER = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7],
  [50, 8, 29], [9, 30, 51], [31, 52, 10], [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35],
  [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
] as const;

function sha512(...parts: Buffer[]): Buffer {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
}

function repeatTo(src: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i++) out[i] = src[i % 64]!;
  return out;
}

/**
 * `rounds` defaults to 656,000 as Ansible's password_hash (through passlib) uses; the string names
 * the rounds unless they are crypt's implicit 5,000.
 */
export function sha512Crypt(password: string, salt: string, rounds = 656_000): string {
  const r = Math.min(999_999_999, Math.max(1000, rounds));
  const custom = r !== 5000;
  const P = Buffer.from(password, 'utf8');
  const S = Buffer.from(salt.slice(0, 16), 'utf8');
  const B = sha512(P, S, P);
  const a = createHash('sha512').update(P).update(S);
  for (let i = P.length; i > 0; i -= 64) a.update(B.subarray(0, Math.min(i, 64)));
  for (let i = P.length; i > 0; i >>= 1) a.update(i & 1 ? B : P);
  const A = a.digest();
  const dp = createHash('sha512');
  for (let i = 0; i < P.length; i++) dp.update(P);
  const Pseq = repeatTo(dp.digest(), P.length);
  const ds = createHash('sha512');
  for (let i = 0; i < 16 + A[0]!; i++) ds.update(S);
  const Sseq = repeatTo(ds.digest(), S.length);
  let C = A;
  for (let i = 0; i < r; i++) {
    const h = createHash('sha512');
    h.update(i & 1 ? Pseq : C);
    if (i % 3) h.update(Sseq);
    if (i % 7) h.update(Pseq);
    h.update(i & 1 ? C : Pseq);
    C = h.digest();
  }
  let out = '';
  const enc = (w: number, n: number): void => {
    for (let i = 0; i < n; i++) {
      out += ITOA64[w & 0x3f];
      w >>= 6;
    }
  };
  for (const [x, y, z] of ORDER) enc((C[x]! << 16) | (C[y]! << 8) | C[z]!, 4);
  enc(C[63]!, 2);
  return `$6$${custom ? `rounds=${r}$` : ''}${S.toString('utf8')}$${out}`;
}
