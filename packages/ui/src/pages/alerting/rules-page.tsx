/** Rule groups with each rule's state, health, last evaluation and active alerts (Prometheus's /rules and /alerts in one). */
import { useState } from 'preact/hooks';
import { replaceQuery } from '../../router.ts';
import type { PageProps } from '../registry.ts';
import { ruleGroups } from './api.ts';
import type { Rule, RuleGroup } from './api.ts';
import { AlertingTabs, LabelChips, formatSpan, localTime, relativeTime, usePolling } from './common.tsx';

type StateFilter = 'all' | 'firing' | 'pending' | 'inactive' | 'error';

export default function RulesPage({ query }: PageProps) {
  const search = query.get('search') ?? '';
  const state = (query.get('state') ?? 'all') as StateFilter;
  const groups = usePolling((signal) => ruleGroups(signal), 30_000, []);
  const set = (name: string, value: string) =>
    replaceQuery((params) => {
      if (value === '' || (name === 'state' && value === 'all')) params.delete(name);
      else params.set(name, value);
    });
  const counts = { firing: 0, pending: 0, inactive: 0, error: 0 };
  for (const group of groups.data ?? [])
    for (const rule of group.rules) {
      if (rule.health === 'err') counts.error++;
      if (rule.type === 'alerting') counts[rule.state]++;
    }
  const needle = search.toLowerCase();
  const keep = (rule: Rule, group: RuleGroup) => {
    if (state === 'error' && rule.health !== 'err') return false;
    if (state !== 'all' && state !== 'error' && (rule.type !== 'alerting' || rule.state !== state)) return false;
    if (needle === '') return true;
    return rule.name.toLowerCase().includes(needle) || rule.query.toLowerCase().includes(needle) || group.name.toLowerCase().includes(needle) || group.file.toLowerCase().includes(needle);
  };
  const shown = (groups.data ?? []).map((group) => ({ group, rules: group.rules.filter((rule) => keep(rule, group)) })).filter((entry) => entry.rules.length > 0);

  return (
    <div class="page alerting-page">
      <h1>Alerting</h1>
      <AlertingTabs current="/alerting/rules" />
      <div class="toolbar">
        <input placeholder="Search rules, expressions, groups, files" value={search} onInput={(event) => set('search', (event.target as HTMLInputElement).value)} aria-label="Search rules" class="filter-input" />
        <div class="button-group" role="group" aria-label="Rule state">
          {(['all', 'firing', 'pending', 'inactive', 'error'] as StateFilter[]).map((option) => (
            <button key={option} type="button" class={state === option ? 'selected' : ''} onClick={() => set('state', option)}>
              {option}
              {option !== 'all' ? ` (${counts[option]})` : ''}
            </button>
          ))}
        </div>
        <span class="spacer" />
        <button type="button" onClick={groups.refresh} disabled={groups.loading}>
          Refresh
        </button>
      </div>
      {groups.error ? <div class="error-box">Rules could not be loaded: {groups.error}</div> : null}
      {groups.data === null && groups.error === null ? <div class="loading">Loading rules…</div> : null}
      {groups.data !== null && groups.data.length === 0 ? <p class="muted">No rule groups are loaded. Rule files are listed under <code>rule_files</code> in the configuration.</p> : null}
      {groups.data !== null && groups.data.length > 0 && shown.length === 0 ? <p class="muted">No rule matches.</p> : null}
      {shown.map(({ group, rules }) => (
        <section key={`${group.file}|${group.name}`} class="card rule-group">
          <header class="alert-group-header">
            <strong>{group.name}</strong>
            <span class="muted mono">{group.file}</span>
            <span class="spacer" />
            <span class="muted" title={localTime(group.lastEvaluation)}>
              every {formatSpan(group.interval * 1000)} · evaluated {relativeTime(group.lastEvaluation)} in {formatSpan(group.evaluationTime * 1000)}
            </span>
          </header>
          <table class="data rules-table">
            <thead>
              <tr>
                <th>Rule</th>
                <th>State</th>
                <th>Last evaluation</th>
                <th class="number">Took</th>
              </tr>
            </thead>
            <tbody>
              {rules.map((rule) => (
                <RuleRow key={`${rule.type}|${rule.name}|${rule.query}`} rule={rule} />
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}

function RuleRow({ rule }: { rule: Rule }) {
  const [open, setOpen] = useState(false);
  const state = rule.type === 'alerting' ? rule.state : 'recording';
  return (
    <>
      <tr data-testid="rule" data-state={state}>
        <td>
          <button type="button" class="link-button rule-name" onClick={() => setOpen(!open)} aria-expanded={open}>
            {rule.type === 'alerting' ? 'alert: ' : 'record: '}
            <strong>{rule.name}</strong>
          </button>
          <pre class="rule-query mono">
            <a href={`/explore?expr=${encodeURIComponent(rule.query)}`} title="Open in Explore">
              {rule.query}
            </a>
          </pre>
          {rule.health === 'err' ? <div class="alerting-error">{rule.lastError}</div> : null}
        </td>
        <td>
          <span class={`state-badge alert-state ${state === 'firing' ? 'firing' : state === 'pending' ? 'pending' : 'inactive'}`}>{state}</span>
          {rule.type === 'alerting' && rule.alerts.length > 0 ? <span class="muted"> {rule.alerts.length} active</span> : null}
          {rule.health !== 'ok' ? <span class={`health ${rule.health}`}> {rule.health === 'err' ? 'error' : 'not evaluated yet'}</span> : null}
        </td>
        <td title={localTime(rule.lastEvaluation)}>{relativeTime(rule.lastEvaluation)}</td>
        <td class="number">{formatSpan(rule.evaluationTime * 1000)}</td>
      </tr>
      {open ? (
        <tr class="rule-details">
          <td colSpan={4}>
            <dl class="alert-details">
              {rule.type === 'alerting' ? (
                <div>
                  <dt>for</dt>
                  <dd>{formatSpan(rule.duration * 1000)}</dd>
                </div>
              ) : null}
              {rule.type === 'alerting' && rule.keepFiringFor ? (
                <div>
                  <dt>keep_firing_for</dt>
                  <dd>{formatSpan(rule.keepFiringFor * 1000)}</dd>
                </div>
              ) : null}
              {rule.labels && Object.keys(rule.labels).length > 0 ? (
                <div>
                  <dt>labels</dt>
                  <dd>
                    <LabelChips labels={rule.labels} />
                  </dd>
                </div>
              ) : null}
              {rule.type === 'alerting'
                ? Object.entries(rule.annotations).map(([name, value]) => (
                    <div key={name}>
                      <dt>{name}</dt>
                      <dd class="mono alerting-pre">{value}</dd>
                    </div>
                  ))
                : null}
            </dl>
            {rule.type === 'alerting' && rule.alerts.length > 0 ? (
              <table class="data">
                <thead>
                  <tr>
                    <th>Labels</th>
                    <th>State</th>
                    <th>Active since</th>
                    <th class="number">Value</th>
                  </tr>
                </thead>
                <tbody>
                  {rule.alerts.map((alert) => (
                    <tr key={JSON.stringify(alert.labels)}>
                      <td>
                        <LabelChips labels={alert.labels} skip={['alertname']} />
                      </td>
                      <td>
                        <span class={`state-badge alert-state ${alert.state}`}>{alert.state}</span>
                      </td>
                      <td>{alert.activeAt ? localTime(alert.activeAt) : ''}</td>
                      <td class="number">{alert.value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
          </td>
        </tr>
      ) : null}
    </>
  );
}
