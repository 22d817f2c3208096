/**
 * A small Markdown parser for the model's text: the common GitHub-flavoured subset (headings,
 * paragraphs, fenced code, block quotes, nested lists, tables, rules; code spans, emphasis,
 * strike-through, links, autolinks). It produces a tree of plain objects; the page turns them
 * into DOM nodes one by one (text as text nodes), so nothing in the input is ever parsed as HTML:
 * tags come out as the literal text they are. Links keep only http(s) and mailto targets.
 */

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'code'; text: string }
  | { type: 'strong' | 'em' | 'del'; children: Inline[] }
  | { type: 'link'; href: string; children: Inline[] }
  | { type: 'br' };

export type Block =
  | { type: 'heading'; level: number; children: Inline[] }
  | { type: 'paragraph'; children: Inline[] }
  | { type: 'code'; lang: string; text: string }
  | { type: 'quote'; children: Block[] }
  | { type: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { type: 'table'; align: ('left' | 'center' | 'right' | '')[]; head: Inline[][]; rows: Inline[][][] }
  | { type: 'hr' };

const MAX_DEPTH = 8;
/** The longest emphasis or link label looked for, in characters. */
const MAX_SPAN = 1000;
const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const HR = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const LIST_ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])([ \t]+|$)/;
const QUOTE = /^ {0,3}> ?/;
const TABLE_SEP = /^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

/** Parses Markdown text into blocks. Never throws; pathological nesting is cut at 8 levels. */
export function parseMarkdown(text: string): Block[] {
  return parseBlocks(String(text ?? '').replace(/\r\n?/g, '\n').split('\n'), 0);
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || HR.test(line) || QUOTE.test(line) || LIST_ITEM.test(line);
}

function parseBlocks(lines: string[], depth: number): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1];
      const body: string[] = [];
      i++;
      while (i < lines.length && !new RegExp(`^ {0,3}${marker[0]}{${marker.length},}\\s*$`).test(lines[i])) body.push(lines[i++]);
      i++;
      blocks.push({ type: 'code', lang: fence[2].toLowerCase(), text: body.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ type: 'heading', level: heading[1].length, children: parseInline(heading[2] ?? '') });
      i++;
      continue;
    }
    if (HR.test(line)) {
      blocks.push({ type: 'hr' });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && !isBlank(lines[i]) && (QUOTE.test(lines[i]) || !startsBlock(lines[i]))) body.push(lines[i++].replace(QUOTE, ''));
      blocks.push(depth >= MAX_DEPTH ? { type: 'paragraph', children: parseInline(body.join('\n')) } : { type: 'quote', children: parseBlocks(body, depth + 1) });
      continue;
    }
    if (LIST_ITEM.test(line)) {
      i = parseList(lines, i, depth, blocks);
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]) && lines[i + 1].includes('-')) {
      i = parseTable(lines, i, blocks);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && !isBlank(lines[i]) && (para.length === 0 || !startsBlock(lines[i]))) para.push(lines[i++]);
    blocks.push({ type: 'paragraph', children: parseInline(para.map((l) => l.trim()).join('\n')) });
  }
  return blocks;
}

function parseList(lines: string[], start: number, depth: number, out: Block[]): number {
  const first = LIST_ITEM.exec(lines[start])!;
  const ordered = /\d/.test(first[2]);
  const list: Block & { type: 'list' } = { type: 'list', ordered, start: ordered ? parseInt(first[2], 10) : 1, items: [] };
  let i = start;
  while (i < lines.length) {
    const m = LIST_ITEM.exec(lines[i]);
    if (!m || /\d/.test(m[2]) !== ordered) break;
    const indent = m[1].length + m[2].length + Math.min(m[3].length || 1, 4);
    const body = [lines[i].slice(m[0].length)];
    i++;
    while (i < lines.length) {
      const l = lines[i];
      if (isBlank(l)) {
        // A blank line ends the item unless the next line is indented into it.
        const next = lines[i + 1];
        if (next !== undefined && !isBlank(next) && leading(next) >= indent) {
          body.push('');
          i++;
          continue;
        }
        break;
      }
      if (leading(l) >= indent) body.push(l.slice(indent));
      else if (LIST_ITEM.test(l) || startsBlock(l)) break;
      else body.push(l.trim());
      i++;
    }
    list.items.push(depth >= MAX_DEPTH ? [{ type: 'paragraph', children: parseInline(body.join('\n')) }] : parseBlocks(body, depth + 1));
    while (i < lines.length && isBlank(lines[i]) && lines[i + 1] !== undefined && LIST_ITEM.test(lines[i + 1])) i++;
  }
  out.push(list);
  return i;
}

function leading(line: string): number {
  return line.length - line.trimStart().length;
}

function cells(line: string): string[] {
  let t = line.trim();
  if (t.startsWith('|')) t = t.slice(1);
  if (t.endsWith('|') && !t.endsWith('\\|')) t = t.slice(0, -1);
  const out: string[] = [];
  let cur = '';
  for (let k = 0; k < t.length; k++) {
    if (t[k] === '\\' && t[k + 1] === '|') {
      cur += '|';
      k++;
    } else if (t[k] === '|') {
      out.push(cur.trim());
      cur = '';
    } else cur += t[k];
  }
  out.push(cur.trim());
  return out;
}

function parseTable(lines: string[], start: number, out: Block[]): number {
  const head = cells(lines[start]);
  const align = cells(lines[start + 1]).map((c) => (c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : c.startsWith(':') ? 'left' : ''));
  let i = start + 2;
  const rows: Inline[][][] = [];
  while (i < lines.length && !isBlank(lines[i]) && lines[i].includes('|')) {
    const row = cells(lines[i++]);
    rows.push(head.map((_, k) => parseInline(row[k] ?? '')));
  }
  out.push({ type: 'table', align: head.map((_, k) => (align[k] ?? '') as 'left' | 'center' | 'right' | ''), head: head.map((c) => parseInline(c)), rows });
  return i;
}

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

/** The link target if it is http(s) or mailto (after trimming), else undefined. */
export function safeHref(raw: string): string | undefined {
  const href = raw.trim().replace(/^<(.*)>$/, '$1');
  // Control characters and whitespace inside the scheme are how `java\tscript:` slips through.
  if (!SAFE_LINK.test(href) || [...href].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return undefined;
  return href;
}

/** Parses inline Markdown. Newlines inside a paragraph become line breaks. */
export function parseInline(text: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  let buf = '';
  const flush = () => {
    if (buf) out.push({ type: 'text', text: buf });
    buf = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && /[!-/:-@[-`{-~]/.test(text[i + 1])) {
      buf += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '\n') {
      flush();
      out.push({ type: 'br' });
      i++;
      continue;
    }
    if (c === '`') {
      const run = /^`+/.exec(text.slice(i, i + MAX_SPAN))![0];
      const end = text.slice(0, i + MAX_SPAN).indexOf(run, i + run.length);
      if (end > 0) {
        flush();
        out.push({ type: 'code', text: text.slice(i + run.length, end).replace(/\n/g, ' ').replace(/^ (.+) $/, '$1') });
        i = end + run.length;
        continue;
      }
      buf += run;
      i += run.length;
      continue;
    }
    if (depth < MAX_DEPTH && (c === '*' || c === '_' || c === '~')) {
      const m = emphasis(text, i, depth);
      if (m) {
        flush();
        out.push(m.node);
        i = m.end;
        continue;
      }
    }
    if (c === '!' && text[i + 1] === '[') {
      // Images are never loaded: the page shows the alt text as a link to the image.
      const l = link(text, i + 1, depth);
      if (l) {
        flush();
        out.push(...l.nodes);
        i = l.end;
        continue;
      }
    }
    if (c === '[' && depth < MAX_DEPTH) {
      const l = link(text, i, depth);
      if (l) {
        flush();
        out.push(...l.nodes);
        i = l.end;
        continue;
      }
    }
    if (c === '<') {
      const m = /^<((?:https?:\/\/|mailto:)[^\s<>]+)>/i.exec(text.slice(i));
      if (m) {
        flush();
        out.push({ type: 'link', href: m[1], children: [{ type: 'text', text: m[1] }] });
        i += m[0].length;
        continue;
      }
    }
    buf += c;
    i++;
  }
  flush();
  return out;
}

function emphasis(text: string, i: number, depth: number): { node: Inline; end: number } | undefined {
  const c = text[i];
  const double = text[i + 1] === c;
  if (c === '~' && !double) return undefined;
  const marker = double ? c + c : c;
  const after = text[i + marker.length];
  if (after === undefined || /\s/.test(after)) return undefined;
  // `_` inside a word (snake_case) is not emphasis.
  if (c === '_' && i > 0 && /\w/.test(text[i - 1])) return undefined;
  let j = i + marker.length;
  // A closer further away than MAX_SPAN is not looked for: keeps hostile text linear.
  const within = text.slice(0, i + MAX_SPAN);
  for (;;) {
    const end = within.indexOf(marker, j);
    if (end < 0) return undefined;
    const inner = text.slice(i + marker.length, end);
    const closesWord = c === '_' && /\w/.test(text[end + marker.length] ?? '');
    if (inner && !/\s$/.test(inner) && !closesWord && !(marker.length === 1 && text[end + 1] === c)) {
      const type = c === '~' ? 'del' : double ? 'strong' : 'em';
      return { node: { type, children: parseInline(inner, depth + 1) }, end: end + marker.length };
    }
    j = end + marker.length + (marker.length === 1 && text[end + 1] === c ? 1 : 0);
  }
}

function link(text: string, i: number, depth: number): { nodes: Inline[]; end: number } | undefined {
  let level = 0;
  let close = -1;
  for (let k = i; k < Math.min(text.length, i + MAX_SPAN); k++) {
    if (text[k] === '\\') k++;
    else if (text[k] === '[') level++;
    else if (text[k] === ']' && --level === 0) {
      close = k;
      break;
    }
  }
  if (close < 0 || text[close + 1] !== '(') return undefined;
  const m = /^\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+("[^"]*"|'[^']*'))?\s*\)/.exec(text.slice(close + 1));
  if (!m) return undefined;
  const label = parseInline(text.slice(i + 1, close), depth + 1);
  const href = safeHref(m[1]);
  const end = close + 1 + m[0].length;
  // An unsafe target keeps its label, without a link.
  return { nodes: href ? [{ type: 'link', href, children: label }] : label, end };
}
