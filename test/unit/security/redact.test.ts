import { describe, expect, it } from 'vitest';
import { createRedactor, redactionMarker, UnsafePatternError } from '../../../src/security/index.ts';

const r = createRedactor();

describe('createRedactor().text', () => {
  it('replaces each built-in kind of secret with its marker, keeping the key name before it', () => {
    const cases: Record<string, string> = {
      'id AKIAIOSFODNN7EXAMPLE.': 'id [REDACTED:aws_access_key_id].',
      'ASIAY34FZKBOKMUTVV7A': '[REDACTED:aws_access_key_id]',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY': 'aws_secret_access_key = [REDACTED:aws_secret_access_key]',
      '"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"': '"SecretAccessKey": "[REDACTED:aws_secret_access_key]"',
      'AWS_SESSION_TOKEN=Zm9vYmFyYmF6cXV4cXV1eA==': 'AWS_SESSION_TOKEN=[REDACTED:aws_session_token]',
      'token IQoJb3JpZ2luX2VjEJr//////////wEaCXVz': 'token [REDACTED:aws_session_token]',
      'https://b.s3.amazonaws.com/k?X-Amz-Signature=abc123&a=1': 'https://b.s3.amazonaws.com/k?X-Amz-Signature=[REDACTED:presigned_url]&a=1',
      [`ghs_${'a1'.repeat(18)}`]: '[REDACTED:github_token]',
      [`github_pat_${'A'.repeat(22)}_${'b'.repeat(59)}`]: '[REDACTED:github_token]',
      'glpat-abcdefghij0123456789': '[REDACTED:gitlab_token]',
      'xoxb-123456789012-abcdef': '[REDACTED:slack_token]',
      'sk-ant-api03-abcdefghij0123456789xyz': '[REDACTED:api_key]',
      [`AIza${'B'.repeat(35)}`]: '[REDACTED:api_key]',
      [`npm_${'c'.repeat(36)}`]: '[REDACTED:npm_token]',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijkl': '[REDACTED:jwt]',
      'Authorization: token abcdef0123456789': 'Authorization: token [REDACTED:authorization]',
      'curl -H "Bearer abcdefghijklmnop0123"': 'curl -H "Bearer [REDACTED:bearer_token]"',
      'git clone https://alice:s3cr3t@example.com/r.git': 'git clone https://alice:[REDACTED:url_credentials]@example.com/r.git',
      '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----\nnext': '[REDACTED:private_key]\nnext',
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\nBgkqhkiG9w0B\n(output cut)': '[REDACTED:private_key](output cut)',
    };
    expect(Object.fromEntries(Object.keys(cases).map((k) => [k, r.text(k)]))).toEqual(cases);
  });

  it('leaves look-alikes and ordinary code alone', () => {
    const plain = [
      'commit 3f786850e387550fdab836ed7e6dc881de23001b',
      'AKIA is a prefix; AKIAIOSFODNN7EXAMPLEXX is too long',
      'pip install sk-learn-compatible-package-name',
      'const authorization = req.headers.authorization;',
      'see https://example.com/a:b@c',
      'eyJ-not-a-token-at-all',
      '-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----',
    ];
    expect(plain.map((s) => r.text(s))).toEqual(plain);
  });

  it('redacts configured patterns and known literal values', () => {
    const custom = createRedactor({ patterns: ['corp_[a-z0-9]{12}'], literals: ['the-runner-secret-value', 'short', undefined] });
    expect(custom.text('a corp_abcdef123456 b the-runner-secret-value c short')).toBe('a [REDACTED:custom] b [REDACTED:runner_secret] c short');
  });

  it("redacts the runner's own secret values in base64 (also inside a longer encoded text), base64url, hex and percent-encoding", () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzXAMPLEKEY';
    const r = createRedactor({ literals: [secret] });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const encoded = [
      b64(secret),
      b64(`AWS_SECRET_ACCESS_KEY=${secret}\n`),
      b64(`k=${secret}`),
      b64(`${secret} and more`),
      Buffer.from(`x${secret}`).toString('base64url'),
      Buffer.from(secret).toString('hex'),
      Buffer.from(secret).toString('hex').toUpperCase(),
      encodeURIComponent(secret),
    ];
    const out = encoded.map((e) => r.text(`printed: ${e} done`));
    expect(out.map((o) => o.includes('[REDACTED:runner_secret]') && o.startsWith('printed: ') && o.endsWith(' done'))).toEqual(encoded.map(() => true));
    // What is left around a marker is at most the bits the neighbouring bytes share with the secret.
    expect(out.map((o) => o.replace('[REDACTED:runner_secret]', '').length - 'printed:  done'.length <= 36)).toEqual(encoded.map(() => true));
    expect(r.text(b64('an ordinary text, nothing secret in it'))).toBe(b64('an ordinary text, nothing secret in it'));
  });

  it('finds a configured match across the boundary of its scan windows', () => {
    const custom = createRedactor({ patterns: ['corp_[a-z0-9]{12}'] });
    for (const at of [1000, 1020, 1023, 2040]) {
      const text = `${'x'.repeat(at)}corp_abcdef123456${'y'.repeat(50)}`;
      expect(custom.text(text)).toBe(`${'x'.repeat(at)}${redactionMarker('custom')}${'y'.repeat(50)}`);
    }
  });

  it('refuses a configured pattern that is invalid, matches the empty string or backtracks exponentially', () => {
    const reasons = ['(', 'x*', '(a+)+'].map((p) => {
      try {
        createRedactor({ patterns: ['ok_[0-9]{4}', p] });
        return 'accepted';
      } catch (err) {
        return err instanceof UnsafePatternError ? [err.index, err.message] : String(err);
      }
    });
    expect(reasons).toEqual([
      [1, 'redact pattern 1 ("(") is not a valid regular expression: Invalid regular expression: /(/g: Unterminated group'],
      [1, 'redact pattern 1 ("x*") matches the empty string'],
      [1, 'redact pattern 1 ("(a+)+") repeats a group that holds a quantifier or an alternation (nested quantifiers backtrack exponentially)'],
    ]);
  });
});

describe('createRedactor().json', () => {
  it('redacts every string of a value, keeping keys, order, other types and the input intact', () => {
    const input = { b: ['AKIAIOSFODNN7EXAMPLE', 1, true, null], a: { nested: 'Bearer abcdefghijklmnop0123' }, n: 3 };
    const out = r.json(input);
    expect(out).toEqual({ b: ['[REDACTED:aws_access_key_id]', 1, true, null], a: { nested: 'Bearer [REDACTED:bearer_token]' }, n: 3 });
    expect([Object.keys(out), input.b[0]]).toEqual([['b', 'a', 'n'], 'AKIAIOSFODNN7EXAMPLE']);
  });

  it('keeps a __proto__ key an own property and survives nesting 100 000 levels deep', () => {
    const parsed = JSON.parse('{"__proto__": {"x": "AKIAIOSFODNN7EXAMPLE"}}');
    const out = r.json(parsed) as Record<string, unknown>;
    expect([Object.getPrototypeOf(out) === Object.prototype, Object.hasOwn(out, '__proto__'), JSON.stringify(out)]).toEqual([
      true,
      true,
      '{"__proto__":{"x":"[REDACTED:aws_access_key_id]"}}',
    ]);
    let deep: unknown = 'AKIAIOSFODNN7EXAMPLE';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    let inner = r.json(deep);
    while (Array.isArray(inner)) inner = inner[0];
    expect(inner).toBe('[REDACTED:aws_access_key_id]');
  });
});
