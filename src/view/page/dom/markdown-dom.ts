import { highlightLine, languageOf } from '../highlight.ts';
import { safeHref, type Block, type Inline } from '../markdown.ts';
import { append, h, link } from './h.ts';

/** DOM nodes for parsed Markdown; every piece of text goes in as a text node. */
export function renderBlocks(blocks: Block[]): DocumentFragment {
  const frag = document.createDocumentFragment();
  for (const b of blocks) frag.appendChild(block(b));
  return frag;
}

function block(b: Block): Node {
  switch (b.type) {
    case 'heading':
      return h(`h${Math.min(6, Math.max(1, b.level)) as 1 | 2 | 3 | 4 | 5 | 6}`, {}, inlines(b.children));
    case 'paragraph':
      return h('p', {}, inlines(b.children));
    case 'code':
      return h('pre', { class: 'code' }, codeBlock(b.text, b.lang));
    case 'quote':
      return h('blockquote', {}, renderBlocks(b.children));
    case 'list': {
      const list = b.ordered ? h('ol') : h('ul');
      if (b.ordered && b.start !== 1) list.setAttribute('start', String(b.start));
      for (const item of b.items) list.appendChild(h('li', {}, renderBlocks(item)));
      return list;
    }
    case 'table': {
      const cell = (tag: 'th' | 'td', content: Inline[], k: number) => {
        return h(tag, { class: b.align[k] ? `align-${b.align[k]}` : undefined }, inlines(content));
      };
      return h(
        'div',
        { class: 'table-wrap' },
        h('table', {}, h('thead', {}, h('tr', {}, ...b.head.map((c, k) => cell('th', c, k)))), h('tbody', {}, ...b.rows.map((r) => h('tr', {}, ...r.map((c, k) => cell('td', c, k)))))),
      );
    }
    case 'hr':
      return h('hr');
  }
}

/** A code element with coloured tokens for the fence's language. */
export function codeBlock(text: string, lang: string): HTMLElement {
  const code = h('code');
  const language = languageOf(lang);
  const state = { inBlock: false };
  text.split('\n').forEach((line, k) => {
    if (k > 0) code.appendChild(document.createTextNode('\n'));
    for (const t of highlightLine(line, language, state)) append(code, t.kind === 'plain' ? t.text : h('span', { class: `tok-${t.kind}` }, t.text));
  });
  return code;
}

function inlines(list: Inline[]): DocumentFragment {
  const frag = document.createDocumentFragment();
  for (const i of list) frag.appendChild(inline(i));
  return frag;
}

function inline(i: Inline): Node {
  switch (i.type) {
    case 'text':
      return document.createTextNode(i.text);
    case 'code':
      return h('code', {}, i.text);
    case 'strong':
      return h('strong', {}, inlines(i.children));
    case 'em':
      return h('em', {}, inlines(i.children));
    case 'del':
      return h('del', {}, inlines(i.children));
    case 'br':
      return h('br');
    case 'link': {
      // Checked again here: the renderer does not trust the parser's output.
      const href = safeHref(i.href);
      return href ? link(href, inlines(i.children)) : inlines(i.children);
    }
  }
}
