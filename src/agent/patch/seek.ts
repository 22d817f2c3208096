/**
 * Finds `pattern` (a run of lines) in `lines` at or after `start`, with decreasing strictness:
 * exact, then ignoring trailing whitespace, then ignoring surrounding whitespace, then also
 * treating typographic dashes, quotes and spaces as their ASCII forms. With `eof`, the end of
 * the file is tried first. Returns the index of the first line, or undefined.
 */
export function seekSequence(lines: readonly string[], pattern: readonly string[], start: number, eof: boolean): number | undefined {
  if (pattern.length === 0) return start;
  if (pattern.length > lines.length) return undefined;
  const last = lines.length - pattern.length;
  for (const norm of NORMALISERS) {
    const want = pattern.map(norm);
    const matchesAt = (i: number) => want.every((p, k) => norm(lines[i + k]) === p);
    if (eof && matchesAt(last)) return last;
    for (let i = start; i <= last; i++) if (matchesAt(i)) return i;
  }
  return undefined;
}

const PUNCTUATION: Record<string, string> = {};
for (const c of '\u2010\u2011\u2012\u2013\u2014\u2015\u2212') PUNCTUATION[c] = '-';
for (const c of '\u2018\u2019\u201A\u201B') PUNCTUATION[c] = "'";
for (const c of '\u201C\u201D\u201E\u201F') PUNCTUATION[c] = '"';
for (const c of '\u00A0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000') PUNCTUATION[c] = ' ';
const PUNCTUATION_RE = new RegExp(`[${Object.keys(PUNCTUATION).join('')}]`, 'g');

const NORMALISERS: ((s: string) => string)[] = [
  (s) => s,
  (s) => s.trimEnd(),
  (s) => s.trim(),
  (s) => s.trim().replace(PUNCTUATION_RE, (c) => PUNCTUATION[c]),
];
