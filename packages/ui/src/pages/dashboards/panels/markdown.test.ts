import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markdownToHtml } from './markdown.ts';

test('markdown for text panels: headings, emphasis, code, links, lists, rules, raw HTML lines', () => {
  assert.equal(markdownToHtml('# Title\nSome **bold** and *em* and `a<b`.'), '<h1>Title</h1>\n<p>Some <strong>bold</strong> and <em>em</em> and <code>a&lt;b</code>.</p>');
  assert.equal(markdownToHtml('- one\n- [two](/explore)\n\n1. first'), '<ul><li>one</li><li><a href="/explore" target="_blank" rel="noopener noreferrer">two</a></li></ul>\n<ol><li>first</li></ol>');
  assert.equal(markdownToHtml('```\n<x>\n```\n---'), '<pre><code>&lt;x&gt;</code></pre>\n<hr>');
  assert.equal(markdownToHtml('[bad](javascript:alert(1))'), '<p><a href="#" target="_blank" rel="noopener noreferrer">bad</a>)</p>');
  assert.equal(markdownToHtml('<div class="x">raw</div>'), '<div class="x">raw</div>', 'HTML lines pass through, to be sanitized');
});
