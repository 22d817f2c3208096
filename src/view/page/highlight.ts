/**
 * Syntax colouring for the diff and code blocks: a line tokenizer that knows keywords, strings,
 * comments and numbers of common languages, picked by file extension or fence info. Tokens are
 * plain text with a kind; the page puts each in a span as text. Block comments carry over lines.
 */

export type TokenKind = 'plain' | 'keyword' | 'string' | 'comment' | 'number' | 'literal';

export interface Token {
  kind: TokenKind;
  text: string;
}

interface Lang {
  keywords: Set<string>;
  literals: Set<string>;
  line: string[];
  block?: [string, string];
  quotes: string;
}

const words = (s: string) => new Set(s.split(' '));
const C_LIKE = 'if else for while do switch case default break continue return goto';
const LITERALS = words('true false null undefined None True False nil NULL this self super');

const LANGS: Record<string, Lang> = {
  js: {
    keywords: words(`${C_LIKE} function const let var new delete typeof instanceof in of class extends import export from as async await yield try catch finally throw void static get set interface type enum implements public private protected readonly declare namespace abstract keyof satisfies`),
    literals: LITERALS,
    line: ['//'],
    block: ['/*', '*/'],
    quotes: '"\'`',
  },
  py: {
    keywords: words('def class if elif else for while return import from as with try except finally raise pass break continue lambda yield global nonlocal assert del in is not and or async await match case'),
    literals: LITERALS,
    line: ['#'],
    quotes: '"\'',
  },
  go: {
    keywords: words(`${C_LIKE} func package import var const type struct interface map chan go defer select range fallthrough`),
    literals: words('true false nil iota'),
    line: ['//'],
    block: ['/*', '*/'],
    quotes: '"\'`',
  },
  rs: {
    keywords: words(`${C_LIKE} fn let mut pub use mod struct enum impl trait where match loop as ref move unsafe async await dyn crate const static type extern in`),
    literals: words('true false None Some Ok Err self Self'),
    line: ['//'],
    block: ['/*', '*/'],
    quotes: '"',
  },
  c: {
    keywords: words(`${C_LIKE} int char float double long short unsigned signed void struct union enum typedef static extern const volatile sizeof class public private protected virtual template typename namespace using new delete try catch throw final override package import extends implements interface abstract synchronized throws boolean byte var val fun when object`),
    literals: LITERALS,
    line: ['//'],
    block: ['/*', '*/'],
    quotes: '"\'',
  },
  sh: {
    keywords: words('if then else elif fi for while until do done case esac function in return local export set unset exit source'),
    literals: words('true false'),
    line: ['#'],
    quotes: '"\'',
  },
  rb: {
    keywords: words('def class module if elsif else unless case when while until for do end return yield begin rescue ensure raise require include extend attr_reader attr_accessor'),
    literals: words('true false nil self'),
    line: ['#'],
    quotes: '"\'',
  },
  data: { keywords: words(''), literals: words('true false null yes no'), line: ['#'], quotes: '"\'' },
  json: { keywords: words(''), literals: words('true false null'), line: [], quotes: '"' },
  css: { keywords: words('important inherit initial unset'), literals: words(''), line: [], block: ['/*', '*/'], quotes: '"\'' },
  sql: {
    keywords: words('select from where insert into update delete create table drop alter join left right inner outer on group by order having limit and or not null as values set index primary key'),
    literals: words('true false null'),
    line: ['--'],
    block: ['/*', '*/'],
    quotes: '\'"',
  },
};

const BY_NAME: Record<string, string> = {
  js: 'js', mjs: 'js', cjs: 'js', jsx: 'js', ts: 'js', tsx: 'js', mts: 'js', cts: 'js', javascript: 'js', typescript: 'js',
  py: 'py', python: 'py', pyi: 'py',
  go: 'go', golang: 'go',
  rs: 'rs', rust: 'rs',
  c: 'c', h: 'c', cc: 'c', cpp: 'c', cxx: 'c', hpp: 'c', java: 'c', kt: 'c', kts: 'c', cs: 'c', scala: 'c', swift: 'c', php: 'c', dart: 'c',
  sh: 'sh', bash: 'sh', zsh: 'sh', shell: 'sh', console: 'sh', dockerfile: 'sh', makefile: 'sh', mk: 'sh',
  rb: 'rb', ruby: 'rb',
  yaml: 'data', yml: 'data', toml: 'data', ini: 'data', cfg: 'data', conf: 'data', properties: 'data',
  json: 'json', jsonc: 'js', json5: 'js',
  css: 'css', scss: 'css', less: 'css',
  sql: 'sql',
};

/** The language of a path (by extension or well-known name) or a fence's info string; undefined: no colouring. */
export function languageOf(pathOrLang: string): string | undefined {
  const name = pathOrLang.toLowerCase().split('/').pop() ?? '';
  if (BY_NAME[name]) return BY_NAME[name];
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
  return BY_NAME[ext];
}

/** Tokenizer state carried from one line to the next (an open block comment). */
export interface HighlightState {
  inBlock: boolean;
}

const NUMBER = /^(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)[a-zA-Z]*/;
const WORD = /^[A-Za-z_$][\w$]*/;

/**
 * Splits one line into tokens for `lang` (from languageOf); unknown languages give one plain
 * token. `state` carries an open block comment over lines. The tokens' texts join to the line.
 */
export function highlightLine(line: string, lang: string | undefined, state: HighlightState = { inBlock: false }): Token[] {
  const spec = lang ? LANGS[lang] : undefined;
  if (!spec) return line ? [{ kind: 'plain', text: line }] : [];
  const out: Token[] = [];
  const push = (kind: TokenKind, text: string) => {
    if (!text) return;
    const last = out.at(-1);
    if (last && last.kind === kind) last.text += text;
    else out.push({ kind, text });
  };
  let i = 0;
  while (i < line.length) {
    if (state.inBlock && spec.block) {
      const end = line.indexOf(spec.block[1], i);
      if (end < 0) {
        push('comment', line.slice(i));
        return out;
      }
      push('comment', line.slice(i, end + spec.block[1].length));
      i = end + spec.block[1].length;
      state.inBlock = false;
      continue;
    }
    const rest = line.slice(i);
    if (spec.block && rest.startsWith(spec.block[0])) {
      state.inBlock = true;
      push('comment', spec.block[0]);
      i += spec.block[0].length;
      continue;
    }
    if (spec.line.some((p) => rest.startsWith(p)) && (lang !== 'sh' || i === 0 || /\s/.test(line[i - 1]))) {
      push('comment', rest);
      return out;
    }
    const c = line[i];
    if (spec.quotes.includes(c)) {
      let j = i + 1;
      while (j < line.length && line[j] !== c) j += line[j] === '\\' ? 2 : 1;
      push('string', line.slice(i, Math.min(j + 1, line.length)));
      i = Math.min(j + 1, line.length);
      continue;
    }
    if (/\d/.test(c) && (i === 0 || !/[\w$]/.test(line[i - 1]))) {
      const m = NUMBER.exec(rest)!;
      push('number', m[0]);
      i += m[0].length;
      continue;
    }
    const w = WORD.exec(rest);
    if (w && (i === 0 || !/[\w$]/.test(line[i - 1]))) {
      const word = lang === 'sql' ? w[0].toLowerCase() : w[0];
      push(spec.keywords.has(word) ? 'keyword' : spec.literals.has(word) ? 'literal' : 'plain', w[0]);
      i += w[0].length;
      continue;
    }
    push('plain', c);
    i++;
  }
  return out;
}
