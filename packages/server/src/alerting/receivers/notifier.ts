/**
 * What all notifiers share: their dependencies, and one notification's run from the alerts to a
 * NotifyResult. A template that fails to render or a `…_file` that cannot be read fails the
 * notification without retry (trying again renders the same); a network error is retried.
 */
import type { Alert, NotifyContext, NotifyResult } from '../types.ts';
import { presentNotification } from './data.ts';
import type { PresentedNotification } from './data.ts';
import { checkResponse, networkFailure, send } from './http.ts';
import type { HttpResponse, HttpSender, RetryPolicy } from './http.ts';
import { FieldRenderer } from './templates.ts';
import type { TemplateSet } from './templates.ts';

/** Where notifiers report what does not fail a notification (a truncated title, a bad avatar URL). */
export interface ReceiverLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: ReceiverLogger = { warn: () => undefined, debug: () => undefined };

export interface NotifierDependencies {
  templates: TemplateSet;
  sender: HttpSender;
  logger: ReceiverLogger;
  /** Used when the dispatcher's context carries no external URL. */
  externalURL: string;
}

/** A notification being built: the data and its field renderer. */
export interface Rendering {
  context: NotifyContext;
  notification: PresentedNotification;
  renderer: FieldRenderer;
}

export function startRendering(dependencies: NotifierDependencies, context: NotifyContext, alerts: readonly Alert[]): Rendering {
  const withURL = context.externalURL === '' ? { ...context, externalURL: dependencies.externalURL } : context;
  const notification = presentNotification(withURL, alerts);
  return { context: withURL, notification, renderer: new FieldRenderer(dependencies.templates, notification) };
}

/** Runs a notifier body; whatever it throws fails the notification without retry. */
export async function guarded(run: () => Promise<NotifyResult>, prefix = ''): Promise<NotifyResult> {
  try {
    return await run();
  } catch (error) {
    return { ok: false, retryable: false, error: `${prefix}${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The signal for one request: the dispatcher's, shortened by the integration's own `timeout` when set. */
export function requestSignal(context: NotifyContext, timeoutMs: number): AbortSignal {
  return timeoutMs > 0 ? AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]) : context.signal;
}

export type Delivery = { ok: true; response: HttpResponse } | { ok: false; result: NotifyResult };

export interface ErrorPrefixes {
  /** Put before every failure's message (Slack names the channel). */
  all?: string;
  /** Put before network failures' messages only (PagerDuty's "failed to post message"). */
  network?: string;
}

/** Sends one request and classifies the answer (retry policy) and network errors. */
export async function deliver(
  sender: HttpSender,
  request: { method?: 'POST' | 'PUT'; url: string; body: string; headers?: Record<string, string>; signal: AbortSignal; contentType?: string },
  policy: RetryPolicy,
  prefixes: ErrorPrefixes = {},
): Promise<Delivery> {
  const all = prefixes.all ?? '';
  let response: HttpResponse;
  try {
    response = await send(sender, request);
  } catch (error) {
    return { ok: false, result: networkFailure(request.method === 'PUT' ? 'Put' : 'Post', error, all + (prefixes.network ?? '')) };
  }
  const failure = checkResponse(response, policy);
  if (failure !== undefined && !failure.ok) return { ok: false, result: { ...failure, error: all + failure.error } };
  return { ok: true, response };
}

/** The retry codes Vigil uses unless an integration says otherwise: 5xx (always) and 429 Too Many Requests. */
export const defaultRetryPolicy: RetryPolicy = { retryCodes: [429] };
