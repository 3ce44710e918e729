/**
 * HTML for text panels, reduced to an allow-list of tags and attributes so a shared dashboard cannot
 * run script in the viewer's session (browser only: it parses with DOMParser).
 */
import { safeUrl } from './markdown.ts';

const allowedTags = new Set(['a', 'b', 'strong', 'i', 'em', 'u', 'p', 'br', 'hr', 'div', 'span', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'code', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'img', 'small', 'sup', 'sub', 'center']);
const allowedAttributes = new Set(['href', 'title', 'alt', 'src', 'class', 'target', 'rel', 'colspan', 'rowspan', 'align', 'width', 'height', 'style']);

/** Keeps allowed tags and attributes; drops scripts, event handlers and `javascript:` URLs. */
export function sanitizeHtml(html: string): string {
  const document = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  const clean = (node: Element) => {
    for (const child of Array.from(node.children)) {
      const tag = child.tagName.toLowerCase();
      if (!allowedTags.has(tag)) {
        if (tag === 'script' || tag === 'style' || tag === 'iframe' || tag === 'object' || tag === 'embed') child.remove();
        else {
          clean(child);
          child.replaceWith(...child.childNodes);
        }
        continue;
      }
      for (const attribute of Array.from(child.attributes)) {
        const name = attribute.name.toLowerCase();
        if (!allowedAttributes.has(name)) child.removeAttribute(attribute.name);
        else if ((name === 'href' || name === 'src') && safeUrl(attribute.value) === '#') child.setAttribute(attribute.name, '#');
        else if (name === 'style' && /url\(|expression\(/i.test(attribute.value)) child.removeAttribute(attribute.name);
      }
      if (tag === 'a') child.setAttribute('rel', 'noopener noreferrer');
      clean(child);
    }
  };
  clean(document.body);
  return document.body.innerHTML;
}
