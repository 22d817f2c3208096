import picomatch from 'picomatch';

/**
 * A matcher for the `pattern`/`glob` inputs: picomatch syntax, dotfiles included; a pattern
 * without `/` matches basenames anywhere; a pattern with `/` matches the workspace-relative path
 * or the path relative to the searched folder `base`. Throws on an invalid pattern.
 */
export function createGlobMatcher(pattern: string, base: string): (rel: string) => boolean {
  const isMatch = picomatch(pattern, { dot: true, basename: !pattern.includes('/') });
  const prefix = base === '' ? '' : `${base}/`;
  return (rel) => isMatch(rel) || (prefix !== '' && rel.startsWith(prefix) && isMatch(rel.slice(prefix.length)));
}
