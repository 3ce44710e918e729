/** A label set as `name="value"` chips, optionally clickable (to filter by the label). */
export type LabelSet = Record<string, string>;

/** Alertmanager's UI order: alertname first, then by name. */
export function alertnameFirst(a: string, b: string): number {
  return a === 'alertname' ? -1 : b === 'alertname' ? 1 : a.localeCompare(b);
}

/** Prometheus's label order (by code unit), as its targets page shows labels. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface LabelChipsProps {
  labels: LabelSet;
  /** Names left out (e.g. those a group header already shows). */
  skip?: readonly string[];
  /** Order of the names; alertname first by default. */
  compare?: (a: string, b: string) => number;
  /** When given, each chip is a button that reports its pair. */
  onPick?: (name: string, value: string) => void;
}

export function LabelChips({ labels, skip = [], compare = alertnameFirst, onPick }: LabelChipsProps) {
  const names = Object.keys(labels)
    .filter((name) => !skip.includes(name))
    .sort(compare);
  return (
    <span class="label-chips">
      {names.map((name) =>
        onPick ? (
          <button key={name} type="button" class="label-chip" title="Filter by this label" onClick={() => onPick(name, labels[name])}>
            {name}="{labels[name]}"
          </button>
        ) : (
          <span key={name} class="label-chip">
            {name}="{labels[name]}"
          </span>
        ),
      )}
    </span>
  );
}
