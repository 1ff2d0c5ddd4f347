/** Small DOM helpers: the page has no framework. */

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string>> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no element #${id}`);
  return node as T;
}

export const count = (value: number) => value.toLocaleString("en-US");
export const percent = (value: number, digits = 1) => `${(100 * value).toFixed(digits)}%`;

/** A figure as shown, with its exact value and its path in PemnInspection for tests to read. */
export function figure(path: string, value: number, text: string = count(value)): HTMLElement {
  return element("span", { "data-figure": path, "data-value": String(value) }, text);
}

/** Bytes in the unit that reads best: 812 B, 13.4 KB, 2.1 MB (powers of 1000). */
export function byteSize(bytes: number): string {
  if (bytes < 1000) return `${count(Math.round(bytes))} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} KB`;
  return `${(bytes / 1e6).toFixed(2)} MB`;
}
