/**
 * The one way the page makes elements: tag, class, attributes and children, where a string child
 * becomes a text node. Nothing here (or anywhere in the page) assigns HTML as a string, so text
 * from a task (tool output, model text, file names) is always shown as text.
 */

export type Child = Node | string | undefined | false;

/** Attributes that may be set; `href` only through `link`, which checks the scheme. */
type Attrs = { class?: string; title?: string; id?: string; hidden?: boolean; open?: boolean; lang?: string; role?: string; 'aria-label'?: string; 'data-kind'?: string; colspan?: string };

/** `document.createElement(tag)` with attributes and children appended. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, ...children);
  return el;
}

/** Appends children, strings as text nodes. */
export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** Replaces an element's content with text. */
export function setText(el: Element, text: string): void {
  el.textContent = text;
}

/** A link to a checked http(s)/mailto or same-origin relative target, opening in a new tab without a referrer. */
export function link(href: string, ...children: Child[]): HTMLAnchorElement {
  const a = h('a', {}, ...children);
  a.href = href;
  a.rel = 'noopener noreferrer nofollow';
  if (/^https?:/i.test(href)) a.target = '_blank';
  return a;
}
