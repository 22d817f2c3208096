/**
 * The built-in secret patterns. Each is written so that a scan of n characters costs O(n): every
 * unbounded run is the last element of its pattern (so once it has started it can only succeed,
 * and the next search starts after it), or is bounded and cannot overlap the next candidate.
 * A `keep` check runs on the matched text for the patterns that would otherwise catch look-alikes.
 */
export interface BuiltInPattern {
  kind: string;
  regex: RegExp;
  /** Groups kept as they are (a key name before the value); the rest of the match is replaced. */
  prefixGroups?: number;
  /** Whether the match really is a secret (false leaves it unchanged). */
  accept?: (match: string) => boolean;
}

const hasDigitAndLetter = (s: string): boolean => /\d/.test(s) && /[A-Za-z]/.test(s);

export const BUILT_IN_PATTERNS: readonly BuiltInPattern[] = [
  {
    kind: 'private_key',
    // Only the header; the body up to the END line is found by scanning (see redactPrivateKeys).
    regex: /-----BEGIN ((?:[A-Z0-9]+ ){0,3})PRIVATE KEY( BLOCK)?-----/g,
  },
  {
    kind: 'aws_access_key_id',
    regex: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16,}/g,
    accept: (m) => m.length === 20,
  },
  {
    kind: 'aws_secret_access_key',
    regex: /\b((?:aws[_-]?)?secret[_-]?access[_-]?key["']?\s{0,16}[:=]\s{0,16}["']?)[A-Za-z0-9/+=]{20,}/gi,
    prefixGroups: 1,
  },
  {
    kind: 'aws_session_token',
    regex: /\b((?:aws[_-]?session[_-]?token|aws[_-]?security[_-]?token|session[_-]?token)["']?\s{0,16}[:=]\s{0,16}["']?)[A-Za-z0-9/+=]{16,}/gi,
    prefixGroups: 1,
  },
  {
    kind: 'aws_session_token',
    // STS session tokens start with these base64 prefixes whatever the context.
    regex: /(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE)[A-Za-z0-9/+=]{20,}/g,
  },
  {
    kind: 'presigned_url',
    regex: /([?&](?:X-Amz-Security-Token|X-Amz-Signature|X-Amz-Credential)=)[^&\s"'<>]+/gi,
    prefixGroups: 1,
  },
  { kind: 'github_token', regex: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}/g },
  { kind: 'github_token', regex: /\bgithub_pat_[A-Za-z0-9_]{22,}/g },
  { kind: 'gitlab_token', regex: /\bglpat-[A-Za-z0-9_-]{20,}/g },
  { kind: 'slack_token', regex: /\bxox[abposre]-[A-Za-z0-9-]{10,}/g },
  { kind: 'api_key', regex: /\bsk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g, accept: hasDigitAndLetter },
  { kind: 'api_key', regex: /\bAIza[0-9A-Za-z_-]{35,}/g, accept: (m) => m.length === 39 },
  { kind: 'npm_token', regex: /\bnpm_[A-Za-z0-9]{36,}/g },
  {
    kind: 'jwt',
    // The whole dotted run is consumed (so the scan stays linear); accepted only with three parts.
    regex: /\beyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}/g,
    accept: (m) => /^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}$/.test(m),
  },
  {
    kind: 'authorization',
    // A header or a JSON/YAML key (`name: value`); `authorization = f(x)` in code is left alone.
    regex: /\b(authorization["']?\s{0,16}:\s{0,16}["']?(?:(?:Bearer|Basic|token|Digest)\s{1,4})?)[A-Za-z0-9._~+/=-]{8,}/gi,
    prefixGroups: 1,
  },
  { kind: 'bearer_token', regex: /\b(Bearer\s{1,4})[A-Za-z0-9._~+/-]{16,}=*/g, prefixGroups: 1 },
  {
    kind: 'url_credentials',
    regex: /\b([a-z][a-z0-9+.-]{0,20}:\/\/[^\s/:@]{1,256}:)[^\s/@]{1,256}(?=@)/gi,
    prefixGroups: 1,
  },
];
