import { UnsafePatternError } from './errors.ts';
import { unsafePatternReason } from './pattern-safety.ts';
import { BUILT_IN_PATTERNS, type BuiltInPattern } from './patterns.ts';

/** Replaces secrets in text and in JSON-like values; never throws on its input. */
export interface Redactor {
  /** `s` with every secret replaced by `[REDACTED:<kind>]`. */
  text(s: string): string;
  /** A copy of `v` with `text` applied to every string in it (object keys are kept). */
  json<T>(v: T): T;
}

export interface RedactorOptions {
  /** Regular expressions (source text, e.g. config `redact_patterns`); each match becomes `[REDACTED:custom]`. */
  patterns?: readonly string[];
  /**
   * Exact values known to be secret (the runner's own credentials), also found base64-, hex- or
   * percent-encoded (see encodingsOf); those shorter than 8 characters are ignored.
   */
  literals?: readonly (string | undefined)[];
}

/**
 * Configured patterns run over windows of this many characters, overlapping by OVERLAP: a
 * polynomial pattern then costs O(n * WINDOW) at worst, and a match up to OVERLAP characters
 * long is always seen whole (a longer one may be cut at a window's end).
 */
const WINDOW = 1024;
const OVERLAP = 256;
const MIN_LITERAL = 8;
/** Shorter strings cannot hold any built-in secret (the shortest, a JWT or key id, is longer). */
const MIN_SECRET = 8;

/** The marker a secret is replaced with. */
export function redactionMarker(kind: string): string {
  return `[REDACTED:${kind}]`;
}

/**
 * A redactor for the built-in secret kinds (AWS key ids, secret keys and session tokens in
 * context, STS tokens, presigned URL signatures, GitHub/GitLab/Slack/npm tokens, `sk-` and Google
 * API keys, JWTs, PEM private keys, `Authorization` values, bearer tokens, URL user-info), plus
 * `patterns` and `literals`. Built-ins scan in linear time; configured patterns are refused with
 * an UnsafePatternError when invalid, matching the empty string, or exponential-prone (see
 * unsafePatternReason), and are run in bounded windows so that a polynomial one stays bounded.
 */
export function createRedactor(opts: RedactorOptions = {}): Redactor {
  const custom = (opts.patterns ?? []).map(compileCustom);
  const own = (opts.literals ?? []).filter((l): l is string => typeof l === 'string' && l.length >= MIN_LITERAL);
  const literals = [...new Set(own.flatMap((l) => [l, ...encodingsOf(l)]))]
    // Longest first, so a literal containing another is replaced whole.
    .sort((a, b) => b.length - a.length);
  const text = (s: string): string => {
    if (typeof s !== 'string' || s.length < MIN_SECRET) return s;
    let out = s;
    for (const lit of literals) if (out.includes(lit)) out = out.split(lit).join(redactionMarker('runner_secret'));
    out = redactPrivateKeys(out);
    for (const p of BUILT_IN_PATTERNS) if (p.kind !== 'private_key') out = applyBuiltIn(out, p);
    for (const re of custom) out = applyWindowed(out, re);
    return out;
  };
  return { text, json: <T>(v: T): T => mapStrings(v, text) as T };
}

/**
 * How a tool could print one of the runner's own secret values without printing it: base64
 * (standard and URL-safe) at each of the three byte alignments it can have inside a longer
 * encoded text (only the characters that depend on the secret's bytes alone, so the rest of the
 * text does not matter), hex in either case, and percent-encoding. Each is then redacted as the
 * value itself is. Secrets matched by pattern (a token of someone else's) are not decoded.
 */
function encodingsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out: string[] = [bytes.toString('hex'), bytes.toString('hex').toUpperCase()];
  for (let shift = 0; shift < 3; shift++) {
    const text = Buffer.concat([Buffer.alloc(shift), bytes, Buffer.alloc(2)]).toString('base64');
    // Base64 character i covers bits [6i, 6i + 6); the secret's bits are [8 shift, 8 (shift + n)).
    const core = text.slice(Math.ceil((8 * shift) / 6), Math.floor((8 * (shift + bytes.length)) / 6));
    out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  const percent = encodeURIComponent(secret);
  if (percent !== secret) out.push(percent);
  return [...new Set(out)].filter((e) => e.length >= MIN_LITERAL && e !== secret);
}

function compileCustom(source: string, index: number): RegExp {
  let re: RegExp;
  try {
    re = new RegExp(source, 'g');
  } catch (err) {
    throw new UnsafePatternError(source, index, `is not a valid regular expression: ${(err as Error).message}`, { cause: err });
  }
  const reason = unsafePatternReason(source);
  if (reason) throw new UnsafePatternError(source, index, reason);
  if (new RegExp(`^(?:${source})$`).test('')) throw new UnsafePatternError(source, index, 'matches the empty string');
  return re;
}

function applyBuiltIn(s: string, p: BuiltInPattern): string {
  p.regex.lastIndex = 0;
  return s.replace(p.regex, (match: string, ...groups: unknown[]) => {
    if (p.accept && !p.accept(match)) return match;
    const prefix = groups.slice(0, p.prefixGroups ?? 0).map((g) => (typeof g === 'string' ? g : '')).join('');
    return `${prefix}${redactionMarker(p.kind)}`;
  });
}

/** Matches of `re` over overlapping windows, merged, each replaced by the custom marker. */
function applyWindowed(s: string, re: RegExp): string {
  const ranges: [number, number][] = [];
  for (let start = 0; start < s.length; start += WINDOW - OVERLAP) {
    const window = s.slice(start, start + WINDOW);
    re.lastIndex = 0;
    for (let m = re.exec(window); m !== null; m = re.exec(window)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      ranges.push([start + m.index, start + m.index + m[0].length]);
    }
    if (start + WINDOW >= s.length) break;
  }
  if (ranges.length === 0) return s;
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const parts: string[] = [];
  let pos = 0;
  let open: [number, number] | undefined;
  for (const r of ranges) {
    if (open && r[0] <= open[1]) {
      open[1] = Math.max(open[1], r[1]);
      continue;
    }
    if (open) {
      parts.push(s.slice(pos, open[0]), redactionMarker('custom'));
      pos = open[1];
    }
    open = [r[0], r[1]];
  }
  parts.push(s.slice(pos, open![0]), redactionMarker('custom'), s.slice(open![1]));
  return parts.join('');
}

const PEM_BEGIN = BUILT_IN_PATTERNS.find((p) => p.kind === 'private_key')!.regex;
const PEM_BODY_LINE = /^(?:[A-Za-z0-9+/=]{0,128}|[A-Za-z-]{1,32}: .{0,200})\r?$/;

/**
 * PEM private key blocks, BEGIN line to END line. A block without END (output cut short) is
 * redacted up to the first line that cannot be part of its body. One forward pass: the next END
 * is looked up once and reused, so many BEGIN lines without an END cost no rescans.
 */
function redactPrivateKeys(s: string): string {
  if (!s.includes('PRIVATE KEY')) return s;
  PEM_BEGIN.lastIndex = 0;
  const parts: string[] = [];
  let pos = 0;
  let nextEnd = -2;
  for (let m = PEM_BEGIN.exec(s); m !== null; m = PEM_BEGIN.exec(s)) {
    if (m.index < pos) continue;
    const bodyStart = m.index + m[0].length;
    if (nextEnd !== -1 && nextEnd < bodyStart) nextEnd = s.indexOf('-----END ', bodyStart);
    let stop: number;
    const nextBegin = s.indexOf('-----BEGIN ', bodyStart);
    if (nextEnd !== -1 && (nextBegin === -1 || nextEnd < nextBegin)) {
      const close = s.indexOf('-----', nextEnd + 9);
      stop = close === -1 ? s.length : close + 5;
    } else {
      stop = endOfBody(s, bodyStart, nextBegin === -1 ? s.length : nextBegin);
    }
    parts.push(s.slice(pos, m.index), redactionMarker('private_key'));
    pos = stop;
    PEM_BEGIN.lastIndex = stop;
  }
  if (parts.length === 0) return s;
  parts.push(s.slice(pos));
  return parts.join('');
}

function endOfBody(s: string, from: number, limit: number): number {
  let nl = s.indexOf('\n', from);
  if (nl === -1 || nl >= limit) return limit;
  let pos = nl + 1;
  while (pos < limit) {
    nl = s.indexOf('\n', pos);
    const lineEnd = nl === -1 || nl > limit ? limit : nl;
    if (!PEM_BODY_LINE.test(s.slice(pos, lineEnd))) return pos;
    pos = lineEnd + 1;
  }
  return limit;
}

/** Applies `f` to every string in a JSON-like value; iterative, so deep nesting cannot overflow the stack. */
function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (v === null || typeof v !== 'object') return v;
  const root: { value: unknown } = { value: undefined };
  const work: { src: unknown; set: (x: unknown) => void }[] = [{ src: v, set: (x) => (root.value = x) }];
  const seen = new Map<object, unknown>();
  while (work.length > 0) {
    const { src, set } = work.pop()!;
    if (typeof src === 'string') {
      set(f(src));
    } else if (src === null || typeof src !== 'object' || !isPlain(src)) {
      set(src);
    } else if (seen.has(src)) {
      set(seen.get(src));
    } else if (Array.isArray(src)) {
      const out: unknown[] = new Array(src.length);
      seen.set(src, out);
      set(out);
      src.forEach((item, i) => work.push({ src: item, set: (x) => (out[i] = x) }));
    } else {
      const out: Record<string, unknown> = {};
      seen.set(src, out);
      set(out);
      // Keys are created now, in order (the stack fills them in reverse); defineProperty keeps a
      // `__proto__` key an own property instead of setting the prototype.
      for (const [k, item] of Object.entries(src)) {
        Object.defineProperty(out, k, { value: undefined, writable: true, enumerable: true, configurable: true });
        work.push({ src: item, set: (x) => (out[k] = x) });
      }
    }
  }
  return root.value;
}

function isPlain(o: object): boolean {
  if (Array.isArray(o)) return true;
  const proto = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null;
}
