import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown, safeHref } from '../../../../src/view/page/markdown.ts';

const t = (text: string) => ({ type: 'text', text });

describe('parseMarkdown', () => {
  it('reads headings, paragraphs with line breaks, fenced code, quotes and rules', () => {
    expect(parseMarkdown('# Title\n\nline one\nline two\n\n```ts\nconst a = 1;\n```\n\n> quoted\n\n---')).toEqual([
      { type: 'heading', level: 1, children: [t('Title')] },
      { type: 'paragraph', children: [t('line one'), { type: 'br' }, t('line two')] },
      { type: 'code', lang: 'ts', text: 'const a = 1;' },
      { type: 'quote', children: [{ type: 'paragraph', children: [t('quoted')] }] },
      { type: 'hr' },
    ]);
  });

  it('reads bullet and numbered lists, nested by indentation', () => {
    expect(parseMarkdown('- one\n- two\n  1. a\n  2. b\n\n3. x\n4. y')).toEqual([
      {
        type: 'list',
        ordered: false,
        start: 1,
        items: [
          [{ type: 'paragraph', children: [t('one')] }],
          [
            { type: 'paragraph', children: [t('two')] },
            { type: 'list', ordered: true, start: 1, items: [[{ type: 'paragraph', children: [t('a')] }], [{ type: 'paragraph', children: [t('b')] }]] },
          ],
        ],
      },
      { type: 'list', ordered: true, start: 3, items: [[{ type: 'paragraph', children: [t('x')] }], [{ type: 'paragraph', children: [t('y')] }]] },
    ]);
  });

  it('reads pipe tables with alignment', () => {
    expect(parseMarkdown('| a | b |\n|:--|--:|\n| 1 | `x\\|y` |')).toEqual([
      { type: 'table', align: ['left', 'right'], head: [[t('a')], [t('b')]], rows: [[[t('1')], [{ type: 'code', text: 'x|y' }]]] },
    ]);
  });

  it('keeps HTML as text: a script or an img tag is just characters', () => {
    const md = '<script>alert(1)</script>\n<img src=x onerror=alert(2)>';
    expect(parseMarkdown(md)).toEqual([{ type: 'paragraph', children: [t('<script>alert(1)</script>'), { type: 'br' }, t('<img src=x onerror=alert(2)>')] }]);
  });

  it('keeps a code fence open to the end when it is never closed', () => {
    expect(parseMarkdown('```\nunterminated <b>')).toEqual([{ type: 'code', lang: '', text: 'unterminated <b>' }]);
  });

  it('survives deep nesting without recursing without bound', () => {
    const deep = `${'> '.repeat(5000)}x`;
    expect(() => parseMarkdown(deep)).not.toThrow();
  });

  it('looks for closing markers only so far, so unclosed ones cost linear time', () => {
    // Counted in characters looked at, not timed: the work per marker is bounded by the span.
    const count = (n: number) => {
      let looked = 0;
      const text = `${'*a '.repeat(n)}${'**b'.repeat(n)}${'`'.repeat(n)}`;
      const original = String.prototype.indexOf;
      String.prototype.indexOf = function (this: string, ...args: [string, number?]) {
        const from = args[1] ?? 0;
        const r = original.apply(this, args);
        looked += (r < 0 ? this.length : r) - from;
        return r;
      };
      try {
        parseInline(text);
      } finally {
        String.prototype.indexOf = original;
      }
      return looked;
    };
    const small = count(2000);
    const large = count(8000);
    expect(large / small).toBeLessThan(5);
  });
});

describe('parseInline', () => {
  it('reads code spans, emphasis, strike-through and escapes', () => {
    expect(parseInline('a `b*c` **bold** *em* _em_ ~~del~~ \\*not em\\*')).toEqual([
      t('a '),
      { type: 'code', text: 'b*c' },
      t(' '),
      { type: 'strong', children: [t('bold')] },
      t(' '),
      { type: 'em', children: [t('em')] },
      t(' '),
      { type: 'em', children: [t('em')] },
      t(' '),
      { type: 'del', children: [t('del')] },
      t(' *not em*'),
    ]);
  });

  it('leaves underscores inside words alone (snake_case)', () => {
    expect(parseInline('call my_var_name now')).toEqual([t('call my_var_name now')]);
  });

  it('links only http(s) and mailto targets; others keep their label as text', () => {
    expect(parseInline('[ok](https://example.com/a_(b)) [bad](javascript:alert(1)) [data](data:text/html,x) <https://x.io> ![img](https://x.io/i.png)')).toEqual([
      { type: 'link', href: 'https://example.com/a_(b)', children: [t('ok')] },
      t(' '),
      t('bad'),
      t(' '),
      t('data'),
      t(' '),
      { type: 'link', href: 'https://x.io', children: [t('https://x.io')] },
      t(' '),
      { type: 'link', href: 'https://x.io/i.png', children: [t('img')] },
    ]);
  });
});

describe('safeHref', () => {
  it('accepts http(s) and mailto, refuses scripts, data, relative and control characters', () => {
    expect(['https://a.b/c', 'HTTP://a.b', 'mailto:x@y.z', '<https://a.b>', 'javascript:x', ' javascript:x', 'java\tscript:x', 'data:x', '/rel', 'https://a.b/\u0000'].map(safeHref)).toEqual([
      'https://a.b/c',
      'HTTP://a.b',
      'mailto:x@y.z',
      'https://a.b',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
