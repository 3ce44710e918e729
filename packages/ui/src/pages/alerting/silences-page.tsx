/** Silences: active, pending and expired, with the alerts each one mutes now; edit, expire, recreate. */
import { useState } from 'preact/hooks';
import { replaceQuery } from '../../router.ts';
import type { PageProps } from '../registry.ts';
import { alerts, expireSilence, silences } from './api.ts';
import type { Silence } from './api.ts';
import { AlertingTabs, localTime, relativeTime, usePolling } from './common.tsx';
import { formatMatcher, fromApiMatcher } from './matchers.ts';

type SilenceState = Silence['status']['state'];

export default function SilencesPage({ query }: PageProps) {
  const state = (query.get('state') ?? 'active') as SilenceState;
  const list = usePolling((signal) => silences(signal), 15_000, []);
  const muted = usePolling((signal) => alerts({ silenced: true, inhibited: true, active: true }, signal), 15_000, []);
  const [message, setMessage] = useState<string | null>(null);
  const counts: Record<SilenceState, number> = { active: 0, pending: 0, expired: 0 };
  for (const silence of list.data ?? []) counts[silence.status.state]++;
  const affected = new Map<string, number>();
  for (const alert of muted.data ?? []) for (const id of alert.status.silencedBy) affected.set(id, (affected.get(id) ?? 0) + 1);
  const shown = (list.data ?? [])
    .filter((silence) => silence.status.state === state)
    .sort((a, b) => (state === 'expired' ? Date.parse(b.endsAt) - Date.parse(a.endsAt) : Date.parse(a.endsAt) - Date.parse(b.endsAt)));

  const expire = async (silence: Silence) => {
    if (!window.confirm(`Expire the silence ${silence.id}? The alerts it mutes will notify again.`)) return;
    try {
      await expireSilence(silence.id);
      setMessage(`Silence ${silence.id} expired.`);
    } catch (error) {
      setMessage(`Could not expire ${silence.id}: ${(error as Error).message}`);
    }
    list.refresh();
    muted.refresh();
  };

  return (
    <div class="page alerting-page">
      <h1>Alerting</h1>
      <AlertingTabs current="/alerting/silences" />
      <div class="toolbar">
        <div class="button-group" role="group" aria-label="Silence state">
          {(['active', 'pending', 'expired'] as SilenceState[]).map((option) => (
            <button key={option} type="button" class={state === option ? 'selected' : ''} onClick={() => replaceQuery((params) => (option === 'active' ? params.delete('state') : params.set('state', option)))}>
              {option} ({counts[option]})
            </button>
          ))}
        </div>
        <span class="spacer" />
        <a href="/alerting/silences/new" class="alerting-button-link">
          New silence
        </a>
      </div>
      {message ? <div class="warning-box">{message}</div> : null}
      {list.error ? <div class="error-box">Silences could not be loaded: {list.error}</div> : null}
      {list.data === null && list.error === null ? <div class="loading">Loading silences…</div> : null}
      {list.data !== null && shown.length === 0 ? <p class="muted">No {state} silences.</p> : null}
      {shown.map((silence) => (
        <section key={silence.id} class="card silence-card" data-testid="silence" data-silence-id={silence.id}>
          <div class="silence-matchers">
            {silence.matchers.map((matcher, index) => (
              <span key={index} class="label-chip">
                {formatMatcher(fromApiMatcher(matcher))}
              </span>
            ))}
          </div>
          <div class="silence-comment">{silence.comment}</div>
          <div class="alert-meta muted">
            <span>by {silence.createdBy}</span>
            <span title={localTime(silence.startsAt)}>{state === 'pending' ? `starts ${relativeTime(silence.startsAt)}` : `started ${localTime(silence.startsAt)}`}</span>
            <span title={localTime(silence.endsAt)}>{state === 'expired' ? `expired ${relativeTime(silence.endsAt)}` : `ends ${relativeTime(silence.endsAt)}`}</span>
            {state === 'active' && muted.data !== null ? <span>{affected.get(silence.id) ?? 0} alert(s) silenced</span> : null}
            <span class="spacer" />
            <a href={`/alerting/silences/${silence.id}`}>{state === 'expired' ? 'View' : 'Edit'}</a>
            {state === 'expired' ? <a href={`/alerting/silences/new?copy=${encodeURIComponent(silence.id)}`}>Recreate</a> : null}
            {state !== 'expired' ? (
              <button type="button" class="link-button danger" onClick={() => void expire(silence)}>
                Expire
              </button>
            ) : null}
          </div>
        </section>
      ))}
    </div>
  );
}
