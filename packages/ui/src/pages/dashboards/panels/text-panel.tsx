import type { PanelModel } from '../model.ts';
import { markdownToHtml } from './markdown.ts';
import { sanitizeHtml } from './sanitize.ts';

export function TextPanel({ panel, interpolate }: { panel: PanelModel; interpolate: (text: string) => string }) {
  const content = interpolate(panel.options.content);
  if (panel.options.mode === 'code') return <pre class="text-panel">{content}</pre>;
  const html = panel.options.mode === 'html' ? sanitizeHtml(content) : sanitizeHtml(markdownToHtml(content));
  return <div class="text-panel markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
