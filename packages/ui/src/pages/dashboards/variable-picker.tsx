/** The variable bar: one picker per visible variable (single select, multi-select with All, textbox). */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useDismiss } from '../../components/use-dismiss.ts';
import { ALL_VALUE } from './variables.ts';
import type { VariableState } from './variables.ts';

function summary(state: VariableState): string {
  if (state.selected.length === 1 && state.selected[0] === ALL_VALUE) return 'All';
  const texts = state.selected.map((value) => state.options.find((option) => option.value === value)?.text ?? value);
  return texts.length === 0 ? 'None' : texts.join(' + ');
}

function MultiPicker({ state, onChange }: { state: VariableState; onChange: (values: string[]) => void }) {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const anchor = useRef<HTMLDivElement>(null);
  useDismiss(open, anchor, () => setOpen(false));
  // The choice shows at once; the dashboard catches up when the variables resolve again.
  const [selected, setSelected] = useState(state.selected);
  useEffect(() => setSelected(state.selected), [state.selected]);
  const all = selected.length === 1 && selected[0] === ALL_VALUE;
  const choose = (values: string[]) => {
    setSelected(values);
    onChange(values);
  };
  const toggle = (value: string) => {
    if (value === ALL_VALUE) return choose([ALL_VALUE]);
    const current = all ? [] : selected;
    const next = current.includes(value) ? current.filter((item) => item !== value) : [...current, value];
    choose(next.length === 0 ? (state.model.includeAll ? [ALL_VALUE] : []) : next);
  };
  const visible = state.options.filter((option) => option.text.toLowerCase().includes(filter.toLowerCase()));
  return (
    <div class="popover-anchor" ref={anchor}>
      <button type="button" class="variable-button" aria-haspopup="listbox" onClick={() => setOpen(!open)}>
        {summary(state)} ▾
      </button>
      {open ? (
        <div class="popover left variable-popover" role="listbox" aria-multiselectable="true">
          <input placeholder="Filter" value={filter} onInput={(event) => setFilter((event.target as HTMLInputElement).value)} />
          {state.model.includeAll ? (
            <label class="variable-option">
              <input type="checkbox" checked={all} onChange={() => toggle(ALL_VALUE)} /> All
            </label>
          ) : null}
          {visible.map((option) => (
            <label class="variable-option" key={option.value}>
              <input type="checkbox" checked={!all && selected.includes(option.value)} onChange={() => toggle(option.value)} /> {option.text}
            </label>
          ))}
        </div>
      ) : null}
    </div>
  );
}

export function VariablePicker({ state, onChange }: { state: VariableState; onChange: (values: string[]) => void }) {
  const model = state.model;
  if (model.hide === 2 || model.type === 'constant') return null;
  const label = model.hide === 1 ? null : <span class="variable-label">{model.label || model.name}</span>;
  let control;
  if (model.type === 'textbox') {
    control = (
      <input
        class="variable-text"
        value={state.selected[0] ?? ''}
        onKeyDown={(event) => event.key === 'Enter' && onChange([(event.target as HTMLInputElement).value])}
        onBlur={(event) => onChange([(event.target as HTMLInputElement).value])}
      />
    );
  } else if (model.multi) {
    control = <MultiPicker state={state} onChange={onChange} />;
  } else {
    control = (
      <select value={state.selected[0] ?? ''} onChange={(event) => onChange([(event.target as HTMLSelectElement).value])}>
        {model.includeAll ? <option value={ALL_VALUE}>All</option> : null}
        {state.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.text}
          </option>
        ))}
        {state.selected[0] !== undefined && state.selected[0] !== ALL_VALUE && !state.options.some((option) => option.value === state.selected[0]) ? <option value={state.selected[0]}>{state.selected[0]}</option> : null}
      </select>
    );
  }
  return (
    <div class="variable" data-variable={model.name} title={state.error ?? undefined}>
      {label}
      {control}
      {state.error ? <span class="panel-error-icon" title={state.error}>⚠</span> : null}
    </div>
  );
}
