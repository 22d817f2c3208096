/** Path quoting as git writes and reads it in diff headers (C-style, octal for non-ASCII bytes). */

const ESCAPES: Record<number, string> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r', 34: '"', 92: '\\' };
const UNESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

function needsQuoting(bytes: Buffer): boolean {
  for (const b of bytes) if (b < 0x20 || b === 0x22 || b === 0x5c || b >= 0x7f) return true;
  return false;
}

/** `name` as git writes it: unchanged, or C-quoted (like git's default `core.quotePath`). */
export function quotePath(name: string): string {
  const bytes = Buffer.from(name, 'utf8');
  if (!needsQuoting(bytes)) return name;
  let out = '"';
  for (const b of bytes) {
    if (ESCAPES[b] !== undefined) out += '\\' + ESCAPES[b];
    else if (b < 0x20 || b >= 0x7f) out += '\\' + b.toString(8).padStart(3, '0');
    else out += String.fromCharCode(b);
  }
  return out + '"';
}

/**
 * Reads a C-quoted string starting at `text[start]` (which must be `"`).
 * Returns the decoded value and the index after the closing quote, or undefined when malformed.
 */
export function unquoteAt(text: string, start: number): { value: string; end: number } | undefined {
  if (text[start] !== '"') return undefined;
  const bytes: number[] = [];
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') return { value: Buffer.from(bytes).toString('utf8'), end: i + 1 };
    if (ch === '\\') {
      const next = text[i + 1];
      if (next !== undefined && UNESCAPES[next] !== undefined) {
        bytes.push(UNESCAPES[next]);
        i += 2;
      } else if (/^[0-3][0-7]{2}$/.test(text.slice(i + 1, i + 4))) {
        bytes.push(parseInt(text.slice(i + 1, i + 4), 8));
        i += 4;
      } else {
        return undefined;
      }
    } else {
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
      i++;
    }
  }
  return undefined;
}

/** A path field (`rename from X`, `--- a/X`): quoted or raw; a raw name ends at a tab. */
export function readPathField(field: string): string | undefined {
  if (field.startsWith('"')) return unquoteAt(field, 0)?.value;
  const tab = field.indexOf('\t');
  return tab >= 0 ? field.slice(0, tab) : field;
}

/** Drops the first path component (`a/x/y` → `x/y`), as `git apply -p1` does. */
export function stripPrefix(name: string): string | undefined {
  const slash = name.indexOf('/');
  return slash < 0 ? undefined : name.slice(slash + 1);
}

/**
 * The two names of a `diff --git A B` line, prefixes stripped. Unquoted names may hold spaces, so
 * for them the split is the one where both halves name the same file (true unless renamed;
 * renames carry their names on `rename from`/`rename to` lines).
 */
export function parseGitHeaderNames(rest: string): { oldName?: string; newName?: string } {
  if (rest.startsWith('"')) {
    const first = unquoteAt(rest, 0);
    if (!first || rest[first.end] !== ' ') return {};
    const second = readPathField(rest.slice(first.end + 1));
    return { oldName: stripPrefix(first.value), newName: second === undefined ? undefined : stripPrefix(second) };
  }
  const quotedSecond = rest.indexOf(' "');
  if (quotedSecond >= 0) {
    const second = unquoteAt(rest, quotedSecond + 1);
    if (second && second.end === rest.length) {
      return { oldName: stripPrefix(rest.slice(0, quotedSecond)), newName: stripPrefix(second.value) };
    }
  }
  for (let i = rest.indexOf(' '); i >= 0; i = rest.indexOf(' ', i + 1)) {
    const a = stripPrefix(rest.slice(0, i));
    const b = stripPrefix(rest.slice(i + 1));
    if (a !== undefined && a === b) return { oldName: a, newName: b };
  }
  const space = rest.indexOf(' ');
  if (space < 0) return {};
  return { oldName: stripPrefix(rest.slice(0, space)), newName: stripPrefix(rest.slice(space + 1)) };
}
