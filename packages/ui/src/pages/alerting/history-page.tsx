/** Vigil's alert history: alert transitions and notification deliveries, newest first. */
import { useState } from 'preact/hooks';
import { replaceQuery } from '../../router.ts';
import type { PageProps } from '../registry.ts';
import { history } from './api.ts';
import { AlertingTabs, LabelChips, localTime, relativeTime, usePolling } from './common.tsx';
import { formatMatcher, parseMatcherList } from './matchers.ts';

export default function HistoryPage({ query }: PageProps) {
  const kind = query.get('kind') ?? '';
  const filterText = query.get('filter') ?? '';
  const receiver = query.get('receiver') ?? '';
  const limit = Number(query.get('limit') ?? '200') || 200;
  const [draft, setDraft] = useState(filterText);
  const matchers = parseMatcherList(filterText);
  const entries = usePolling((signal) => history({ limit, kind, receiver, matchers: (matchers ?? []).map(formatMatcher) }, signal), 30_000, [kind, filterText, receiver, limit]);
  const set = (name: string, value: string) =>
    replaceQuery((params) => {
      if (value === '') params.delete(name);
      else params.set(name, value);
    });
  return (
    <div class="page alerting-page">
      <h1>Alerting</h1>
      <AlertingTabs current="/alerting/history" />
      <form
        class="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          set('filter', draft.trim());
        }}
      >
        <input class="filter-input mono" placeholder='Filter: {alertname="HighLatency"}' value={draft} onInput={(event) => setDraft((event.target as HTMLInputElement).value)} aria-label="Filter history by matchers" />
        <button type="submit">Filter</button>
        <div class="button-group" role="group" aria-label="Kind">
          {[
            ['', 'All'],
            ['alert', 'Alerts'],
            ['notification', 'Notifications'],
          ].map(([value, label]) => (
            <button key={value} type="button" class={kind === value ? 'selected' : ''} onClick={() => set('kind', value)}>
              {label}
            </button>
          ))}
        </div>
        {receiver !== '' ? (
          <button type="button" onClick={() => set('receiver', '')} title="Show every receiver">
            receiver: {receiver} ✕
          </button>
        ) : null}
        <span class="spacer" />
        <button type="button" onClick={entries.refresh} disabled={entries.loading}>
          Refresh
        </button>
      </form>
      {matchers === null ? <div class="error-box">The filter is not a list of matchers.</div> : null}
      {entries.error ? <div class="error-box">The history could not be loaded: {entries.error}</div> : null}
      {entries.data === null && entries.error === null ? <div class="loading">Loading history…</div> : null}
      {entries.data !== null && entries.data.length === 0 ? <p class="muted">Nothing recorded{filterText || kind || receiver ? ' that matches' : ' yet'}.</p> : null}
      {entries.data !== null && entries.data.length > 0 ? (
        <div class="card table-card">
          <table class="data history-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>Event</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.data.map((entry, index) =>
                entry.kind === 'alert' ? (
                  <tr key={index}>
                    <td title={relativeTime(entry.time)} class="nowrap">
                      {localTime(entry.time)}
                    </td>
                    <td>
                      <span class={`state-badge alert-state ${entry.event}`}>{entry.event}</span>
                    </td>
                    <td>
                      <LabelChips labels={entry.labels} onPick={(name, value) => set('filter', `{${formatMatcher({ name, operator: '=', value })}}`)} />
                      {entry.by && entry.by.length > 0 ? <div class="muted">by {entry.by.join(', ')}</div> : null}
                    </td>
                  </tr>
                ) : (
                  <tr key={index}>
                    <td title={relativeTime(entry.time)} class="nowrap">
                      {localTime(entry.time)}
                    </td>
                    <td>
                      <span class={`state-badge alert-state ${entry.ok ? 'delivered' : 'failed'}`}>{entry.ok ? 'delivered' : 'failed'}</span>
                    </td>
                    <td>
                      <button type="button" class="link-button" onClick={() => set('receiver', entry.receiver)}>
                        {entry.receiver}
                      </button>{' '}
                      <span class="mono">{entry.integration}</span> · {entry.fingerprints.length} alert{entry.fingerprints.length === 1 ? '' : 's'} · attempt {entry.attempt} · {entry.durationMs} ms
                      {entry.error ? (
                        <div class="alerting-error">
                          {entry.error}
                          {entry.retryable === false ? ' (not retried)' : entry.retryable ? ' (retried)' : ''}
                        </div>
                      ) : null}
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      ) : null}
      {entries.data !== null && entries.data.length >= limit ? (
        <p>
          <button type="button" onClick={() => set('limit', String(limit * 2))}>
            Show more
          </button>
        </p>
      ) : null}
    </div>
  );
}
