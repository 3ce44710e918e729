/** Firing alerts as Alertmanager groups them (with silenced and inhibited ones on request), and the rules' pending alerts. */
import { useState } from 'preact/hooks';
import { replaceQuery } from '../../router.ts';
import type { PageProps } from '../registry.ts';
import { alertGroups, ruleAlerts } from './api.ts';
import type { AlertGroup, GettableAlert, RuleAlert } from './api.ts';
import { AlertingTabs, LabelChips, localTime, relativeTime, usePolling } from './common.tsx';
import { formatMatcher, parseMatcherList } from './matchers.ts';

export default function AlertsPage({ query }: PageProps) {
  const filterText = query.get('filter') ?? '';
  const showSilenced = query.get('silenced') !== 'false';
  const showInhibited = query.get('inhibited') !== 'false';
  const [draft, setDraft] = useState(filterText);
  const matchers = parseMatcherList(filterText);
  const filter = { matchers: (matchers ?? []).map(formatMatcher), silenced: showSilenced, inhibited: showInhibited, active: true };
  const groups = usePolling((signal) => alertGroups(filter, signal), 15_000, [filterText, showSilenced, showInhibited]);
  const pending = usePolling((signal) => ruleAlerts(signal).then((list) => list.filter((alert) => alert.state === 'pending')), 15_000, []);
  const setQuery = (name: string, value: string | null) =>
    replaceQuery((params) => {
      if (value === null || value === '') params.delete(name);
      else params.set(name, value);
    });
  const addMatcher = (name: string, value: string) => {
    const next = [...(matchers ?? []), { name, operator: '=' as const, value }];
    const text = `{${next.map(formatMatcher).join(', ')}}`;
    setDraft(text);
    setQuery('filter', text);
  };
  const visibleGroups = (groups.data ?? []).filter((group) => group.alerts.length > 0);
  const alertCount = visibleGroups.reduce((sum, group) => sum + group.alerts.length, 0);

  return (
    <div class="page alerting-page">
      <h1>Alerting</h1>
      <AlertingTabs current="/alerting" />
      <form
        class="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          setQuery('filter', draft.trim());
        }}
      >
        <input class="filter-input mono" placeholder='Filter: {severity="critical", job=~"api.*"}' value={draft} onInput={(event) => setDraft((event.target as HTMLInputElement).value)} aria-label="Filter alerts by matchers" />
        <button type="submit">Filter</button>
        <label>
          <input type="checkbox" checked={showSilenced} onChange={(event) => setQuery('silenced', (event.target as HTMLInputElement).checked ? null : 'false')} /> Silenced
        </label>
        <label>
          <input type="checkbox" checked={showInhibited} onChange={(event) => setQuery('inhibited', (event.target as HTMLInputElement).checked ? null : 'false')} /> Inhibited
        </label>
        <span class="spacer" />
        <a href="/alerting/silences/new">New silence</a>
        <button type="button" onClick={() => (groups.refresh(), pending.refresh())} disabled={groups.loading}>
          Refresh
        </button>
      </form>
      {matchers === null ? <div class="error-box">The filter is not a list of matchers such as {'{alertname="HighLatency", severity=~"warn|crit"}'}.</div> : null}
      {groups.error ? <div class="error-box">Alerts could not be loaded: {groups.error}</div> : null}
      {groups.data === null && groups.error === null ? <div class="loading">Loading alerts…</div> : null}
      {groups.data !== null ? (
        <p class="muted">
          {alertCount === 0 ? 'No alerts' : `${alertCount} alert${alertCount === 1 ? '' : 's'} in ${visibleGroups.length} group${visibleGroups.length === 1 ? '' : 's'}`}
          {filterText !== '' && matchers !== null ? ' match the filter' : ''}.
        </p>
      ) : null}
      {visibleGroups.map((group) => (
        <GroupCard key={`${group.receiver.name}|${JSON.stringify(group.labels)}`} group={group} onPick={addMatcher} />
      ))}
      <PendingAlerts alerts={pending.data} error={pending.error} />
    </div>
  );
}

function GroupCard({ group, onPick }: { group: AlertGroup; onPick: (name: string, value: string) => void }) {
  const groupNames = Object.keys(group.labels);
  return (
    <section class="card alert-group" data-testid="alert-group">
      <header class="alert-group-header">
        {groupNames.length === 0 ? <span class="muted">Not grouped</span> : <LabelChips labels={group.labels} onPick={onPick} />}
        <span class="spacer" />
        <span class="muted">
          receiver <strong>{group.receiver.name}</strong> · {group.alerts.length} alert{group.alerts.length === 1 ? '' : 's'}
        </span>
      </header>
      <ul class="alert-list">
        {group.alerts.map((alert) => (
          <AlertRow key={alert.fingerprint} alert={alert} groupNames={groupNames} onPick={onPick} />
        ))}
      </ul>
    </section>
  );
}

function AlertRow({ alert, groupNames, onPick }: { alert: GettableAlert; groupNames: string[]; onPick: (name: string, value: string) => void }) {
  const [open, setOpen] = useState(false);
  const silenced = alert.status.silencedBy.length > 0;
  const inhibited = alert.status.inhibitedBy.length > 0;
  const muted = (alert.status.mutedBy ?? []).length > 0;
  const state = silenced ? 'silenced' : inhibited ? 'inhibited' : muted ? 'muted' : alert.status.state === 'unprocessed' ? 'unprocessed' : 'firing';
  const summary = alert.annotations.summary ?? alert.annotations.description ?? '';
  const silenceLink = `/alerting/silences/new?${Object.entries(alert.labels)
    .map(([name, value]) => `matcher=${encodeURIComponent(formatMatcher({ name, operator: '=', value }))}`)
    .join('&')}`;
  return (
    <li class={`alert-row state-${state}`} data-testid="alert" data-fingerprint={alert.fingerprint} data-state={state}>
      <div class="alert-main">
        <span class={`state-badge alert-state ${state}`}>{state}</span>
        <LabelChips labels={alert.labels} skip={groupNames} onPick={onPick} />
      </div>
      {summary !== '' ? <div class="alert-summary">{summary}</div> : null}
      <div class="alert-meta muted">
        <span title={localTime(alert.startsAt)}>started {relativeTime(alert.startsAt)}</span>
        {silenced ? (
          <span>
            silenced by{' '}
            {alert.status.silencedBy.map((id) => (
              <a key={id} href={`/alerting/silences/${id}`} class="mono">
                {id.slice(0, 8)}
              </a>
            ))}
          </span>
        ) : null}
        {inhibited ? <span>inhibited by {alert.status.inhibitedBy.length} alert(s)</span> : null}
        {muted ? <span>muted by time interval {alert.status.mutedBy?.join(', ')}</span> : null}
        <span class="spacer" />
        {!silenced ? (
          <a href={silenceLink} class="silence-link">
            Silence
          </a>
        ) : null}
        {alert.generatorURL ? (
          <a href={alert.generatorURL} rel="noreferrer">
            Source
          </a>
        ) : null}
        <button type="button" class="link-button" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Less' : 'Details'}
        </button>
      </div>
      {open ? (
        <dl class="alert-details">
          {Object.entries(alert.annotations).map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>{value}</dd>
            </div>
          ))}
          <div>
            <dt>receivers</dt>
            <dd>{alert.receivers.map((receiver) => receiver.name).join(', ')}</dd>
          </div>
          <div>
            <dt>fingerprint</dt>
            <dd class="mono">{alert.fingerprint}</dd>
          </div>
          <div>
            <dt>started</dt>
            <dd>{localTime(alert.startsAt)}</dd>
          </div>
          <div>
            <dt>updated</dt>
            <dd>{localTime(alert.updatedAt)}</dd>
          </div>
        </dl>
      ) : null}
    </li>
  );
}

function PendingAlerts({ alerts, error }: { alerts: RuleAlert[] | null; error: string | null }) {
  if (error !== null) return <p class="muted">Pending alerts are not available: {error}</p>;
  if (alerts === null || alerts.length === 0) return null;
  const byName = new Map<string, RuleAlert[]>();
  for (const alert of alerts) {
    const name = alert.labels.alertname ?? '';
    byName.set(name, [...(byName.get(name) ?? []), alert]);
  }
  return (
    <>
      <h2>Pending</h2>
      <p class="muted">Alerts whose rule condition holds but whose <code>for</code> duration has not passed yet; they are not sent to Alertmanager until they fire.</p>
      {[...byName].map(([name, list]) => (
        <section key={name} class="card alert-group" data-testid="pending-group">
          <header class="alert-group-header">
            <span class="label-chip">alertname="{name}"</span>
            <span class="spacer" />
            <span class="muted">{list.length} pending</span>
          </header>
          <ul class="alert-list">
            {list.map((alert) => (
              <li key={JSON.stringify(alert.labels)} class="alert-row state-pending">
                <div class="alert-main">
                  <span class="state-badge alert-state pending">pending</span>
                  <LabelChips labels={alert.labels} skip={['alertname']} />
                </div>
                <div class="alert-meta muted">
                  {alert.activeAt ? <span title={localTime(alert.activeAt)}>active since {relativeTime(alert.activeAt)}</span> : null}
                  <span>value {alert.value}</span>
                </div>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </>
  );
}
