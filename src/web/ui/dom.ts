/**
 * Building the page. Text is only ever set as text (text nodes, textContent):
 * log-derived values (user names, paths, raw lines) are attacker-controlled,
 * and nothing in the app parses a string as HTML.
 */
export type Child = Node | string | number | null | undefined | false;

export interface Attrs {
  class?: string;
  href?: string;
  type?: string;
  title?: string;
  id?: string;
  name?: string;
  placeholder?: string;
  value?: string;
  autocomplete?: string;
  role?: string;
  'aria-pressed'?: string;
  'aria-label'?: string;
  'data-testid'?: string;
  onclick?: (e: MouseEvent) => void;
  onsubmit?: (e: SubmitEvent) => void;
  oninput?: (e: Event) => void;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    if (k === 'onclick') el.addEventListener('click', v as EventListener);
    else if (k === 'onsubmit') el.addEventListener('submit', v as EventListener);
    else if (k === 'oninput') el.addEventListener('input', v as EventListener);
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? text(c) : c);
  }
}

export function text(value: string | number): Text {
  return document.createTextNode(String(value));
}

export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function replace(el: Node, ...children: Child[]): void {
  clear(el);
  append(el, children);
}

let toastTimer: number | undefined;

/** A short message at the corner of the screen. */
export function toast(message: string, kind: 'info' | 'error' = 'info'): void {
  document.querySelector('.toast')?.remove();
  const el = h('div', { class: `toast ${kind}`, role: 'status' }, message);
  document.body.appendChild(el);
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => el.remove(), 5000);
}
