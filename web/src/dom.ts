/**
 * The one way the dashboard makes elements: text goes in through textContent only, attributes from
 * a fixed list of safe names. No innerHTML anywhere: task titles, logs, diffs, model output and review
 * comments are attacker-controlled.
 */
type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined>;

const SAFE_ATTRS = new Set([
  'id',
  'class',
  'for',
  'type',
  'name',
  'value',
  'role',
  'scope',
  'placeholder',
  'required',
  'disabled',
  'rows',
  'colspan',
  'aria-label',
  'aria-live',
  'aria-describedby',
  'aria-invalid',
  'aria-current',
  'tabindex',
  'title',
  'data-status',
  'data-field',
  'data-testid',
]);

export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (!SAFE_ATTRS.has(name)) throw new Error(`attribute ${name} is not allowed`);
    el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** A link inside the page (hash routes only: no URL from data ever becomes an href but http(s) PR links). */
export function link(href: string, text: string): HTMLAnchorElement {
  const a = document.createElement('a');
  a.href = safeHref(href);
  a.textContent = text;
  return a;
}

/** Only hash routes and http(s) URLs: a `javascript:` URL from a forge reply never becomes a link. */
function safeHref(href: string): string {
  if (href.startsWith('#/')) return href;
  try {
    const url = new URL(href);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.href;
  } catch {
    // not a URL
  }
  return '#/';
}

export function button(text: string, onClick: () => void | Promise<void>, label?: string): HTMLButtonElement {
  const b = h('button', { type: 'button', 'aria-label': label }, text) as HTMLButtonElement;
  b.addEventListener('click', () => void onClick());
  return b;
}

export function clear(el: Element): void {
  el.replaceChildren();
}
