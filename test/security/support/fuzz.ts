/**
 * A small seeded generator of hostile task-message bodies: random JSON, mutations of valid
 * messages (wrong types, unknown fields at every level, path characters in ids, huge or deep
 * values), and broken JSON text. Deterministic for a seed, so a failure can be replayed.
 */
import { rng } from '../../unit/agent/diff/helpers.ts';

export const SCHEMA_KEYS = ['taskId', 'prompt', 'source', 'model', 'profile', 'limits', 'reply'];

const NASTY_STRINGS = [
  '',
  ' ',
  '../../etc/passwd',
  '..',
  '/abs/path',
  'a/b',
  'a\\b',
  'C:\\x',
  '%2e%2e%2f',
  'x\u0000y',
  '\u202e\u0007',
  '\ud800',
  'é'.repeat(40),
  '__proto__',
  'constructor',
  'a'.repeat(65),
  '${jndi:ldap://x}',
  '<script>',
  'tasks/../inputs',
  'file:///etc/passwd',
  'https://user:pass@example.com/r.git',
  'http://169.254.169.254/latest/meta-data/',
];
const NASTY_NUMBERS = [0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, 1e-9];

export interface Fuzzer {
  /** A random JSON-able value, at most `depth` levels deep. */
  value(depth?: number): unknown;
  /** A message body as text: mutated valid messages, random JSON, broken JSON. */
  body(): string;
  pick<T>(items: readonly T[]): T;
  int(n: number): number;
}

export function fuzzer(seed: number): Fuzzer {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const randomString = (): string => {
    if (r() < 0.5) return pick(NASTY_STRINGS);
    const len = int(r() < 0.9 ? 20 : 3000);
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(r() < 0.8 ? 32 + int(95) : int(0x10000));
    return s;
  };
  const value = (depth = 3): unknown => {
    const k = int(depth > 0 ? 8 : 5);
    if (k === 0) return null;
    if (k === 1) return r() < 0.5;
    if (k === 2) return r() < 0.5 ? pick(NASTY_NUMBERS) : int(100);
    if (k === 3 || k === 4) return randomString();
    if (k === 5) return Array.from({ length: int(4) }, () => value(depth - 1));
    const o: Record<string, unknown> = {};
    for (let i = int(4); i > 0; i--) o[r() < 0.5 ? pick(SCHEMA_KEYS) : randomString()] = value(depth - 1);
    return o;
  };
  const valid = (): Record<string, unknown> => {
    const sources = [
      { s3: { bucket: 'mine', key: 'inputs/x.tar.gz' } },
      { git: { url: 'https://example.com/r.git', ref: 'main' } },
      { github: { owner: 'octo', repo: 'hello', ref: 'main' } },
    ];
    return {
      taskId: `t-${int(1e6)}`,
      prompt: 'fix the bug',
      source: structuredClone(pick(sources)),
      model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      limits: { maxTurns: 5, maxCostUsd: 1, timeoutSeconds: 60 },
      reply: { github: { owner: 'octo', repo: 'hello', issue: 7 } },
    };
  };
  /** Every object inside `v` (itself included), for mutations at any depth. */
  const objects = (v: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      out.push(v as Record<string, unknown>);
      for (const x of Object.values(v)) objects(x, out);
    }
    return out;
  };
  const mutate = (msg: Record<string, unknown>): void => {
    const target = pick(objects(msg));
    const keys = Object.keys(target);
    switch (int(7)) {
      case 0:
        if (keys.length) delete target[pick(keys)];
        break;
      case 1:
        if (keys.length) target[pick(keys)] = value(2);
        break;
      case 2:
        target[randomString() || 'x'] = value(1);
        break;
      case 3:
        msg.taskId = pick(NASTY_STRINGS);
        break;
      case 4:
        msg.prompt = r() < 0.5 ? 'p'.repeat(256 * 1024 + 1) : pick([42, null, [], {}, '   ']);
        break;
      case 5: {
        let deep: unknown = 'x';
        // Deep enough to break a recursive walker, shallow enough for JSON.stringify.
        for (let i = 0; i < 20 + int(1500); i++) deep = r() < 0.5 ? [deep] : { a: deep };
        target[pick([...keys, 'reply'])] = deep;
        break;
      }
      default:
        msg.source = { s3: { bucket: pick(['theirs', 'mine', 'Bad_Bucket', 'a'.repeat(70)]), key: pick(NASTY_STRINGS) || 'k' } };
    }
  };
  const body = (): string => {
    const kind = int(10);
    if (kind < 6) {
      const msg = valid();
      for (let i = 1 + int(3); i > 0; i--) mutate(msg);
      return JSON.stringify(msg);
    }
    if (kind < 8) return JSON.stringify(value(4));
    const text = JSON.stringify(valid());
    // Broken JSON: truncated, garbage around it, or random bytes.
    const cut = text.slice(0, int(text.length));
    return pick([cut, `\ufeff${text}`, `${text}}`, `${text}\u0000`, randomString(), "{'prompt': 'single quotes'}", 'NaN', '']);
  };
  return { value, body, pick, int };
}
