/**
 * The PromQL editor: CodeMirror 6 with codemirror-promql (highlighting, completion of metric names,
 * labels and values from Vigil's API, inline parse errors). Loaded on demand, its own chunk.
 */
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, completionStatus } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, insertNewline } from '@codemirror/commands';
import { HighlightStyle, bracketMatching, syntaxHighlighting } from '@codemirror/language';
import { lintKeymap } from '@codemirror/lint';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';
import { tags } from '@lezer/highlight';

export interface PromqlEditorOptions {
  parent: HTMLElement;
  value: string;
  onChange: (value: string) => void;
  /** Enter runs the query; Shift+Enter inserts a newline. */
  onRun: (value: string) => void;
  placeholder?: string;
}

export interface PromqlEditor {
  setValue(value: string): void;
  focus(): void;
  destroy(): void;
}

const highlight = HighlightStyle.define([
  { tag: tags.number, color: 'var(--syntax-number)' },
  { tag: tags.string, color: 'var(--syntax-string)' },
  { tag: tags.keyword, color: 'var(--syntax-keyword)', fontWeight: '600' },
  { tag: tags.function(tags.variableName), color: 'var(--syntax-function)' },
  { tag: tags.labelName, color: 'var(--syntax-label)' },
  { tag: tags.operator, color: 'var(--syntax-operator)' },
  { tag: tags.modifier, color: 'var(--syntax-keyword)' },
  { tag: tags.comment, color: 'var(--text-muted)', fontStyle: 'italic' },
  { tag: tags.className, color: 'var(--syntax-function)' },
  { tag: tags.invalid, color: 'var(--danger)' },
]);

const theme = EditorView.theme({
  '&': { fontSize: '13px', backgroundColor: 'var(--surface)', color: 'var(--text)', border: '1px solid var(--border)', borderRadius: '4px' },
  '&.cm-focused': { outline: '1px solid var(--accent)' },
  '.cm-content': { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace", padding: '6px 0', caretColor: 'var(--text)' },
  '.cm-line': { padding: '0 8px' },
  '.cm-placeholder': { color: 'var(--text-muted)' },
  '.cm-tooltip': { backgroundColor: 'var(--surface-raised)', border: '1px solid var(--border)', color: 'var(--text)' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--selection)', color: 'var(--text)' },
  '.cm-completionDetail': { color: 'var(--text-muted)', fontStyle: 'normal', marginLeft: '8px' },
  '.cm-diagnostic-error': { borderLeft: '3px solid var(--danger)' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground': { backgroundColor: 'var(--selection) !important' },
  '.cm-cursor': { borderLeftColor: 'var(--text)' },
});

export function createPromqlEditor(options: PromqlEditorOptions): PromqlEditor {
  // Same origin: the client calls /api/v1/labels, /api/v1/label/<name>/values, /api/v1/series, /api/v1/metadata.
  const promql = new PromQLExtension().setComplete({ remote: { url: '', httpMethod: 'GET', cache: { maxAge: 5 * 60_000 } } });
  const placeholderCompartment = new Compartment();
  const view = new EditorView({
    parent: options.parent,
    state: EditorState.create({
      doc: options.value,
      extensions: [
        history(),
        closeBrackets(),
        bracketMatching(),
        autocompletion({ activateOnTyping: true }),
        promql.asExtension(),
        syntaxHighlighting(highlight),
        theme,
        EditorView.lineWrapping,
        placeholderCompartment.of(placeholder(options.placeholder ?? 'Enter a PromQL query (Enter to run, Shift+Enter for a new line)')),
        Prec.highest(
          keymap.of([
            {
              key: 'Enter',
              run: (editorView) => {
                // With the completion list open, Enter picks the completion instead.
                if (completionStatus(editorView.state) === 'active') return false;
                options.onRun(editorView.state.doc.toString());
                return true;
              },
            },
            { key: 'Shift-Enter', run: insertNewline },
          ]),
        ),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange(update.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ 'aria-label': 'PromQL query', 'data-testid': 'promql-editor' }),
      ],
    }),
  });
  return {
    setValue(value: string) {
      if (value === view.state.doc.toString()) return;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
    },
    focus: () => view.focus(),
    destroy: () => {
      promql.destroy();
      view.destroy();
    },
  };
}
