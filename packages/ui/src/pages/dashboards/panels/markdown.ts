/**
 * Markdown for text panels: what dashboards use (headings, paragraphs, emphasis, code, links, lists,
 * rules; lines of HTML pass through). The result always goes through sanitize.ts before display.
 */

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function safeUrl(url: string): string {
  const trimmed = url.trim();
  return /^(https?:|mailto:|\/|#|\.)/i.test(trimmed) || !/^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : '#';
}

function inline(text: string): string {
  let html = escapeHtml(text);
  const codes: string[] = [];
  html = html.replace(/`([^`]+)`/g, (_whole, code: string) => `\uE000${codes.push(code) - 1}\uE000`);
  html = html
    .replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, (_whole, alt: string, url: string) => `<img alt="${alt}" src="${escapeHtml(safeUrl(url))}">`)
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_whole, label: string, url: string) => `<a href="${escapeHtml(safeUrl(url))}" target="_blank" rel="noopener noreferrer">${label}</a>`)
    .replace(/\*\*(.+?)\*\*|__(.+?)__/g, (_whole, one?: string, two?: string) => `<strong>${one ?? two}</strong>`)
    .replace(/\*(.+?)\*|\b_(.+?)_\b/g, (_whole, one?: string, two?: string) => `<em>${one ?? two}</em>`);
  return html.replace(/\uE000(\d+)\uE000/g, (_whole, index: string) => `<code>${codes[Number(index)]}</code>`);
}

export function markdownToHtml(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const output: string[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | null = null;
  const flush = () => {
    if (paragraph.length > 0) output.push(`<p>${inline(paragraph.join(' '))}</p>`);
    paragraph = [];
    if (list) output.push(`<${list.ordered ? 'ol' : 'ul'}>${list.items.map((item) => `<li>${inline(item)}</li>`).join('')}</${list.ordered ? 'ol' : 'ul'}>`);
    list = null;
  };
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (line.startsWith('```')) {
      flush();
      const code: string[] = [];
      for (index++; index < lines.length && !lines[index].startsWith('```'); index++) code.push(lines[index]);
      output.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    if (/^\s*<\/?[a-zA-Z]/.test(line)) {
      // A line of HTML passes through as HTML (sanitized afterwards), as Markdown allows.
      flush();
      output.push(line);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      output.push(`<h${heading[1].length}>${inline(heading[2])}</h${heading[1].length}>`);
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flush();
      output.push('<hr>');
      continue;
    }
    const item = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/.exec(line);
    if (item) {
      if (paragraph.length > 0) flush();
      const ordered = item[2] !== undefined;
      if (list && list.ordered !== ordered) flush();
      list ??= { ordered, items: [] };
      list.items.push(item[3]);
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (list) flush();
    paragraph.push(line.trim());
  }
  flush();
  return output.join('\n');
}
