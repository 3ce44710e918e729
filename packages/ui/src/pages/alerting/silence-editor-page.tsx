/**
 * Creates or edits a silence. New silences can come prefilled from an alert (`?matcher=name="value"`,
 * repeated) or copied from an expired one (`?copy=<id>`). While typing, the alerts the matchers would
 * silence are fetched from the server with the same matchers as a filter, so the preview uses
 * Alertmanager's own matching.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiRequestError } from '../../api/http.ts';
import { navigate } from '../../router.ts';
import type { PageProps } from '../registry.ts';
import { alerts, expireSilence, saveSilence, silence as fetchSilence } from './api.ts';
import type { GettableAlert, Silence } from './api.ts';
import { AlertingTabs, LabelChips, formatSpan, localTime, relativeTime } from './common.tsx';
import { OPERATORS, formatMatcher, fromApiMatcher, matcherProblem, parseMatcher, toApiMatcher } from './matchers.ts';
import type { MatchOperator, MatcherInput } from './matchers.ts';

const AUTHOR_KEY = 'vigil.silence.author';
const DURATION = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/;

function parseDurationText(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (match === null || text.trim() === '') return null;
  const [, weeks, days, hours, minutes] = match.map((part) => Number(part ?? 0));
  const ms = (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60_000;
  return ms > 0 ? ms : null;
}

function durationText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const parts: string[] = [];
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) parts.push(`${days}d`);
  if (hours > 0) parts.push(`${hours}h`);
  if (minutes % 60 > 0 || parts.length === 0) parts.push(`${minutes % 60}m`);
  return parts.join('');
}

/** `YYYY-MM-DDTHH:MM` in local time, as `<input type="datetime-local">` wants it. */
function toLocalInput(ms: number): string {
  const date = new Date(ms);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

interface Draft {
  matchers: MatcherInput[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

function emptyDraft(): Draft {
  const now = Date.now();
  return { matchers: [{ name: '', operator: '=', value: '' }], startsAt: now, endsAt: now + 2 * 3600_000, createdBy: localStorage.getItem(AUTHOR_KEY) ?? '', comment: '' };
}

function fromSilence(silence: Silence, keepTimes: boolean): Draft {
  const now = Date.now();
  const span = Date.parse(silence.endsAt) - Date.parse(silence.startsAt);
  return {
    matchers: silence.matchers.map(fromApiMatcher),
    startsAt: keepTimes ? Date.parse(silence.startsAt) : now,
    endsAt: keepTimes ? Date.parse(silence.endsAt) : now + (span > 0 ? span : 2 * 3600_000),
    createdBy: silence.createdBy,
    comment: silence.comment,
  };
}

export default function SilenceEditorPage({ params, query }: PageProps) {
  const id = params.id && params.id !== 'new' ? params.id : null;
  const copyId = query.get('copy');
  const prefill = query.getAll('matcher');
  const [existing, setExisting] = useState<Silence | null>(null);
  const [draft, setDraft] = useState<Draft | null>(id === null && copyId === null ? withPrefill(emptyDraft(), prefill) : null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [durationDraft, setDurationDraft] = useState<string | null>(null);
  const saved = query.get('saved') === '1';

  useEffect(() => {
    const source = id ?? copyId;
    if (source === null) return;
    const controller = new AbortController();
    fetchSilence(source, controller.signal)
      .then((found) => {
        setExisting(id === null ? null : found);
        setDraft(fromSilence(found, id !== null && found.status.state !== 'expired'));
        setLoadError(null);
      })
      .catch((error: Error) => error.name !== 'AbortError' && setLoadError(error instanceof ApiRequestError && error.status === 404 ? `There is no silence ${source}.` : error.message));
    return () => controller.abort();
  }, [id, copyId]);

  const problems = useMemo(() => (draft === null ? [] : draft.matchers.map((matcher) => (matcher.name === '' && matcher.value === '' ? null : matcherProblem(matcher)))), [draft]);
  const usable = draft === null ? [] : draft.matchers.filter((matcher, index) => matcher.name !== '' && problems[index] === null);
  const preview = usePreview(usable);

  if (loadError !== null) {
    return (
      <div class="page alerting-page">
        <h1>Silence</h1>
        <AlertingTabs current="/alerting/silences" />
        <div class="error-box">{loadError}</div>
        <a href="/alerting/silences">All silences</a>
      </div>
    );
  }
  if (draft === null) return <div class="loading">Loading silence…</div>;

  const expired = existing?.status.state === 'expired';
  const update = (change: Partial<Draft>) => setDraft({ ...draft, ...change });
  const setMatcher = (index: number, change: Partial<MatcherInput>) => update({ matchers: draft.matchers.map((matcher, position) => (position === index ? { ...matcher, ...change } : matcher)) });
  const formProblem =
    usable.length === 0
      ? 'Add at least one matcher.'
      : draft.endsAt <= draft.startsAt
          ? 'The end must be after the start.'
          : draft.endsAt <= Date.now()
            ? 'The end is in the past.'
            : draft.createdBy.trim() === ''
              ? 'Say who creates the silence.'
              : draft.comment.trim() === ''
                ? 'Add a comment (why, and a ticket if there is one).'
                : problems.some((problem) => problem !== null)
                  ? 'Fix the matchers marked above.'
                  : null;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (formProblem !== null || expired) return;
    setSaving(true);
    setSaveError(null);
    localStorage.setItem(AUTHOR_KEY, draft.createdBy.trim());
    try {
      const answer = await saveSilence({
        ...(existing !== null ? { id: existing.id } : {}),
        matchers: usable.map(toApiMatcher),
        startsAt: new Date(draft.startsAt).toISOString(),
        endsAt: new Date(draft.endsAt).toISOString(),
        createdBy: draft.createdBy.trim(),
        comment: draft.comment.trim(),
      });
      navigate(`/alerting/silences/${answer.silenceID}?saved=1`);
    } catch (error) {
      setSaveError((error as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const expire = async () => {
    if (existing === null || !window.confirm('Expire this silence now?')) return;
    try {
      await expireSilence(existing.id);
      navigate('/alerting/silences?state=expired');
    } catch (error) {
      setSaveError((error as Error).message);
    }
  };

  const duration = durationDraft ?? durationText(draft.endsAt - draft.startsAt);
  return (
    <div class="page alerting-page">
      <h1>{existing === null ? 'New silence' : expired ? 'Expired silence' : 'Edit silence'}</h1>
      <AlertingTabs current="/alerting/silences" />
      {saved ? <div class="alerting-success">Silence saved{existing ? ` (id ${existing.id})` : ''}.</div> : null}
      {existing !== null ? (
        <p class="muted">
          <span class="mono">{existing.id}</span> · {existing.status.state} · updated {relativeTime(existing.updatedAt)}
        </p>
      ) : null}
      {expired ? (
        <div class="warning-box">
          This silence has expired and cannot be changed. <a href={`/alerting/silences/new?copy=${encodeURIComponent(existing?.id ?? '')}`}>Recreate it</a>
        </div>
      ) : null}
      <form class="card silence-form" onSubmit={(event) => void submit(event)}>
        <fieldset disabled={expired}>
          <legend>Matchers</legend>
          <p class="muted">Alerts whose labels match every matcher are silenced.</p>
          {draft.matchers.map((matcher, index) => (
            <div key={index} class="matcher-row" data-testid="matcher-row">
              <input placeholder="label" value={matcher.name} aria-label={`Matcher ${index + 1} label`} class="mono" onInput={(event) => setMatcher(index, { name: (event.target as HTMLInputElement).value.trim() })} />
              <select value={matcher.operator} aria-label={`Matcher ${index + 1} operator`} onChange={(event) => setMatcher(index, { operator: (event.target as HTMLSelectElement).value as MatchOperator })}>
                {OPERATORS.map((operator) => (
                  <option key={operator} value={operator}>
                    {operator}
                  </option>
                ))}
              </select>
              <input placeholder="value" value={matcher.value} aria-label={`Matcher ${index + 1} value`} class="mono matcher-value" onInput={(event) => setMatcher(index, { value: (event.target as HTMLInputElement).value })} />
              <button type="button" class="icon-button" aria-label={`Remove matcher ${index + 1}`} onClick={() => update({ matchers: draft.matchers.filter((_, position) => position !== index) })}>
                ✕
              </button>
              {problems[index] ? <div class="alerting-error">{problems[index]}</div> : null}
            </div>
          ))}
          <button type="button" onClick={() => update({ matchers: [...draft.matchers, { name: '', operator: '=', value: '' }] })}>
            Add matcher
          </button>
        </fieldset>
        <fieldset disabled={expired}>
          <legend>Time</legend>
          <div class="time-row">
            <label>
              Start
              <input type="datetime-local" value={toLocalInput(draft.startsAt)} onChange={(event) => {
                const start = new Date((event.target as HTMLInputElement).value).getTime();
                if (Number.isFinite(start)) update({ startsAt: start, endsAt: start + (draft.endsAt - draft.startsAt) });
              }} />
            </label>
            <label>
              Duration
              <input
                value={duration}
                aria-label="Duration"
                class="duration-input"
                onInput={(event) => {
                  const text = (event.target as HTMLInputElement).value;
                  setDurationDraft(text);
                  const ms = parseDurationText(text);
                  if (ms !== null) update({ endsAt: draft.startsAt + ms });
                }}
                onBlur={() => setDurationDraft(null)}
              />
            </label>
            <label>
              End
              <input type="datetime-local" value={toLocalInput(draft.endsAt)} onChange={(event) => {
                const end = new Date((event.target as HTMLInputElement).value).getTime();
                if (Number.isFinite(end)) update({ endsAt: end });
              }} />
            </label>
          </div>
          {durationDraft !== null && parseDurationText(durationDraft) === null ? <div class="alerting-error">Durations look like 2h, 1d12h or 30m.</div> : null}
          <p class="muted">
            From {localTime(new Date(draft.startsAt).toISOString())} for {formatSpan(draft.endsAt - draft.startsAt)}.
          </p>
        </fieldset>
        <fieldset disabled={expired}>
          <legend>About</legend>
          <label class="block-label">
            Created by
            <input value={draft.createdBy} aria-label="Created by" onInput={(event) => update({ createdBy: (event.target as HTMLInputElement).value })} />
          </label>
          <label class="block-label">
            Comment
            <textarea rows={3} value={draft.comment} aria-label="Comment" onInput={(event) => update({ comment: (event.target as HTMLTextAreaElement).value })} />
          </label>
        </fieldset>
        {saveError ? <div class="error-box">The silence was not saved: {saveError}</div> : null}
        {!expired ? (
          <div class="toolbar form-actions">
            <button type="submit" class="primary" disabled={formProblem !== null || saving}>
              {existing === null ? 'Create silence' : 'Update silence'}
            </button>
            {formProblem !== null ? <span class="muted">{formProblem}</span> : null}
            <span class="spacer" />
            {existing !== null ? (
              <button type="button" class="danger" onClick={() => void expire()}>
                Expire now
              </button>
            ) : null}
            <a href="/alerting/silences">Cancel</a>
          </div>
        ) : null}
      </form>
      <Preview matchers={usable} preview={preview} />
    </div>
  );
}

function withPrefill(draft: Draft, texts: string[]): Draft {
  const matchers = texts.map(parseMatcher).filter((matcher): matcher is MatcherInput => matcher !== null);
  return matchers.length > 0 ? { ...draft, matchers } : draft;
}

interface PreviewState {
  alerts: GettableAlert[] | null;
  error: string | null;
  loading: boolean;
}

/** The current alerts (silenced or not) that the matchers select, refreshed 300 ms after the last change. */
function usePreview(matchers: MatcherInput[]): PreviewState {
  const key = matchers.map(formatMatcher).join('\n');
  const [state, setState] = useState<PreviewState>({ alerts: null, error: null, loading: false });
  useEffect(() => {
    if (key === '') {
      setState({ alerts: null, error: null, loading: false });
      return;
    }
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    const timer = setTimeout(() => {
      alerts({ matchers: key.split('\n'), silenced: true, inhibited: true, active: true }, controller.signal)
        .then((found) => setState({ alerts: found, error: null, loading: false }))
        .catch((error: Error) => error.name !== 'AbortError' && setState({ alerts: null, error: error.message, loading: false }));
    }, 300);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key]);
  return state;
}

function Preview({ matchers, preview }: { matchers: MatcherInput[]; preview: PreviewState }) {
  if (matchers.length === 0) return null;
  return (
    <section class="card silence-preview" data-testid="silence-preview">
      <h2>
        Affected alerts{' '}
        {preview.alerts !== null ? <span class="muted">({preview.alerts.length} now)</span> : null}
        {preview.loading ? <span class="muted"> · checking…</span> : null}
      </h2>
      {preview.error ? <div class="error-box">{preview.error}</div> : null}
      {preview.alerts !== null && preview.alerts.length === 0 ? <p class="muted">No current alert matches; the silence will apply to matching alerts that fire while it is active.</p> : null}
      {preview.alerts !== null && preview.alerts.length > 0 ? (
        <ul class="alert-list">
          {preview.alerts.map((alert) => (
            <li key={alert.fingerprint} class="alert-row" data-testid="preview-alert">
              <div class="alert-main">
                <span class={`state-badge alert-state ${alert.status.silencedBy.length > 0 ? 'silenced' : 'firing'}`}>{alert.status.silencedBy.length > 0 ? 'silenced' : 'firing'}</span>
                <LabelChips labels={alert.labels} />
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
