/**
 * Python's `re` syntax as a JavaScript RegExp — the one translation every module, filter and test uses:
 * leading inline flags `(?ims)` become flags, named groups `(?P<n>…)` / `(?P=n)`, `\A` and `\Z`
 * (start and end of the whole string, whatever the flags). `flags` are added to what the pattern asks
 * for; `anchored` anchors at the start only, as `re.match` does. Throws SyntaxError when it does not compile.
 */
export function pythonRegExp(source: string, flags = '', anchored = false): RegExp {
  let src = source;
  const set = new Set(flags.split('').filter(Boolean));
  for (let m = /^\(\?([aiLmsux]+)\)/.exec(src); m; m = /^\(\?([aiLmsux]+)\)/.exec(src)) {
    for (const f of m[1]!) if (f === 'i' || f === 'm' || f === 's') set.add(f);
    src = src.slice(m[0].length);
  }
  const js = src
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/\\A/g, '(?<![\\s\\S])')
    .replace(/\\Z/g, '(?![\\s\\S])');
  return new RegExp(anchored ? `^(?:${js})` : js, [...set].join(''));
}
