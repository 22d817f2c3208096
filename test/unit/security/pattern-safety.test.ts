import { describe, expect, it } from 'vitest';
import { unsafePatternReason } from '../../../src/security/index.ts';

describe('unsafePatternReason', () => {
  it('accepts patterns without nested repetition, backreferences or lookarounds', () => {
    const ok = ['corp_[a-z0-9]{12}', 'password=\\S+', '(?:ab)+c', '(a|b)c+', '[(+*)]+x', '\\(a+\\)+', '(ab)?c*', '(?<name>x)y+', 'a{2}(b{1})+'];
    expect(ok.map(unsafePatternReason)).toEqual(ok.map(() => undefined));
  });

  it('names the construct that can backtrack exponentially', () => {
    expect(['(a+)+', '(a|ab)*', '((a+))+', '((a+)b)*', '(?:x*){2,}', '(\\w)\\1', '(?<n>a)\\k<n>', 'a(?=b)', '(?<!a)b'].map(unsafePatternReason)).toEqual([
      'repeats a group that holds a quantifier or an alternation (nested quantifiers backtrack exponentially)',
      'repeats a group that holds a quantifier or an alternation (nested quantifiers backtrack exponentially)',
      'repeats a group that holds a quantifier or an alternation (nested quantifiers backtrack exponentially)',
      'repeats a group that holds a quantifier or an alternation (nested quantifiers backtrack exponentially)',
      'repeats a group that holds a quantifier or an alternation (nested quantifiers backtrack exponentially)',
      'uses a backreference',
      'uses a backreference',
      'uses a lookaround',
      'uses a lookaround',
    ]);
  });
});
