/**
 * Why a configured regular expression is unsafe to run on untrusted text with a backtracking
 * engine, or undefined when it passes. Refused: backreferences and lookarounds, and a repeated
 * group that itself holds a quantifier or an alternation (`(a+)+`, `(a|ab)*`), the constructs that
 * make backtracking exponential. Polynomial cases (`a.*b.*c`) remain possible; the redactor bounds
 * them by scanning configured patterns in windows.
 */
export function unsafePatternReason(source: string): string | undefined {
  interface Frame {
    quantified: boolean;
    alternation: boolean;
  }
  const stack: Frame[] = [{ quantified: false, alternation: false }];
  let i = 0;
  // What the quantifier that may follow applies to: an atom, or a group just closed.
  let last: { group?: Frame } | undefined;
  // A quantified group not itself repeated still makes its enclosing group quantified.
  const settle = (): void => {
    if (last?.group?.quantified) stack[stack.length - 1].quantified = true;
  };
  while (i < source.length) {
    const c = source[i];
    const q = quantifierAt(source, i);
    if (q) {
      const top = stack[stack.length - 1];
      if (q.repeats) {
        if (last?.group && (last.group.quantified || last.group.alternation)) {
          return 'repeats a group that holds a quantifier or an alternation (nested quantifiers backtrack exponentially)';
        }
        top.quantified = true;
      } else {
        settle();
      }
      i = q.end;
      last = undefined;
      continue;
    }
    settle();
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && source[i + 2] === '<')) return 'uses a backreference';
      i += 2;
      last = {};
      continue;
    }
    if (c === '[') {
      i = skipClass(source, i);
      last = {};
      continue;
    }
    if (c === '(') {
      if (/^\(\?<?[=!]/.test(source.slice(i, i + 4))) return 'uses a lookaround';
      stack.push({ quantified: false, alternation: false });
      if (source.startsWith('(?:', i)) i += 3;
      else if (source.startsWith('(?<', i)) i = source.indexOf('>', i) + 1 || source.length;
      else i += 1;
      last = undefined;
      continue;
    }
    if (c === ')') {
      const frame = stack.length > 1 ? stack.pop()! : { quantified: false, alternation: false };
      last = { group: frame };
      i++;
      continue;
    }
    if (c === '|') {
      stack[stack.length - 1].alternation = true;
      last = undefined;
      i++;
      continue;
    }
    last = {};
    i++;
  }
  return undefined;
}

function skipClass(s: string, start: number): number {
  let i = start + 1;
  if (s[i] === '^') i++;
  if (s[i] === ']') i++;
  while (i < s.length && s[i] !== ']') i += s[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** A quantifier starting at `i` (with its lazy `?`), and whether it repeats (max > 1). */
function quantifierAt(s: string, i: number): { end: number; repeats: boolean } | undefined {
  const c = s[i];
  let end: number;
  let repeats: boolean;
  if (c === '*' || c === '+') {
    end = i + 1;
    repeats = true;
  } else if (c === '?') {
    end = i + 1;
    repeats = false;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(i, i + 24));
    if (!m) return undefined;
    end = i + m[0].length;
    repeats = m[2] !== undefined ? m[3] === '' || Number(m[3]) > 1 : Number(m[1]) > 1;
  } else {
    return undefined;
  }
  if (s[end] === '?') end++;
  return { end, repeats };
}
