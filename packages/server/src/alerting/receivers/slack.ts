/**
 * slack_configs: one message with one attachment, as Alertmanager posts it to an incoming webhook
 * (`api_url`) or, with an app token, to chat.postMessage. An incoming webhook answers the text "ok";
 * the Web API answers JSON whose `ok` must be true.
 */
import type { SlackConfig } from '../config/types.ts';
import type { Alert, Notifier, NotifyContext, NotifyResult } from '../types.ts';
import { truncateInRunes } from './data.ts';
import { goJsonEncode } from './go-json.ts';
import { readSettingFile } from './http.ts';
import { defaultRetryPolicy, deliver, guarded, requestSignal, startRendering } from './notifier.ts';
import type { NotifierDependencies } from './notifier.ts';

/** Slack's limit on attachment titles, in runes. */
export const slackMaxTitleRunes = 1024;
const defaultAppUrl = 'https://slack.com/api/chat.postMessage';

/** Drops empty strings, as Go's `omitempty` does. */
function omitEmpty(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== '' && value !== false && value !== undefined && !(Array.isArray(value) && value.length === 0)));
}

export class SlackNotifier implements Notifier {
  private readonly config: SlackConfig;
  private readonly dependencies: NotifierDependencies;

  constructor(config: SlackConfig, dependencies: NotifierDependencies) {
    this.config = config;
    this.dependencies = dependencies;
  }

  /** The request body and where it goes. */
  async render(context: NotifyContext, alerts: readonly Alert[]): Promise<{ body: string; url: string; channel: string; headers: Record<string, string> }> {
    const config = this.config;
    const { renderer } = startRendering(this.dependencies, context, alerts);
    const text = (field: string): Promise<string> => renderer.text(field);
    const title = truncateInRunes(await text(config.title), slackMaxTitleRunes);
    if (title.truncated) this.dependencies.logger.warn('Truncated title', { max_runes: slackMaxTitleRunes, group_key: context.groupKey });
    const attachment = {
      title: title.text,
      title_link: await text(config.titleLink),
      pretext: await text(config.pretext),
      text: await text(config.text),
      fallback: await text(config.fallback),
      callback_id: await text(config.callbackId),
      fields: [] as Record<string, unknown>[],
      actions: [] as Record<string, unknown>[],
      image_url: await text(config.imageUrl),
      thumb_url: await text(config.thumbUrl),
      footer: await text(config.footer),
      color: await text(config.color),
      mrkdwn_in: config.mrkdwnIn.length === 0 ? ['fallback', 'pretext', 'text'] : config.mrkdwnIn,
    };
    for (const field of config.fields) {
      attachment.fields.push({ ...omitEmpty({ title: await text(field.title), value: await text(field.value) }), short: field.short ?? config.shortFields });
    }
    for (const action of config.actions) {
      const rendered: Record<string, unknown> = omitEmpty({
        type: await text(action.type),
        text: await text(action.text),
        url: await text(action.url),
        style: await text(action.style),
        name: await text(action.name),
        value: await text(action.value),
      });
      if (action.confirm !== undefined) {
        rendered.confirm = omitEmpty({
          text: await text(action.confirm.text),
          title: await text(action.confirm.title),
          ok_text: await text(action.confirm.okText),
          dismiss_text: await text(action.confirm.dismissText),
        });
      }
      attachment.actions.push(rendered);
    }
    // title, title_link, pretext, fields, actions, image_url, thumb_url, color and mrkdwn_in are omitempty; text, fallback, callback_id and footer are not.
    const { title: attachmentTitle, title_link, pretext, fields, actions, image_url, thumb_url, color, mrkdwn_in } = attachment;
    const orderedAttachment = {
      ...omitEmpty({ title: attachmentTitle, title_link, pretext }),
      text: attachment.text,
      fallback: attachment.fallback,
      callback_id: attachment.callback_id,
      ...omitEmpty({ fields, actions, image_url, thumb_url }),
      footer: attachment.footer,
      ...omitEmpty({ color, mrkdwn_in }),
    };
    const channel = await text(config.channel);
    const request = {
      ...omitEmpty({
        channel,
        username: await text(config.username),
        icon_emoji: await text(config.iconEmoji),
        icon_url: await text(config.iconUrl),
        link_names: config.linkNames,
        text: await text(config.messageText),
      }),
      attachments: [orderedAttachment],
    };
    const headers: Record<string, string> = {};
    let url: string;
    if (config.apiUrl !== undefined) url = config.apiUrl;
    else if (config.apiUrlFile !== undefined) url = await readSettingFile(config.apiUrlFile, 'api_url_file');
    else {
      url = config.appUrl ?? defaultAppUrl;
      const token = config.appToken ?? (config.appTokenFile === undefined ? '' : await readSettingFile(config.appTokenFile, 'app_token_file'));
      if (token !== '' && config.httpConfig.authorization === undefined) headers.Authorization = `Bearer ${token}`;
    }
    return { body: goJsonEncode(request), url, channel, headers };
  }

  async notify(context: NotifyContext, alerts: readonly Alert[]): Promise<NotifyResult> {
    return await guarded(async () => {
      const { body, url, channel, headers } = await this.render(context, alerts);
      const prefix = `channel ${JSON.stringify(channel)}: `;
      const delivery = await deliver(this.dependencies.sender, { url, body, headers, signal: requestSignal(context, this.config.timeoutMs) }, defaultRetryPolicy, { all: prefix });
      if (!delivery.ok) return delivery.result;
      const response = delivery.response;
      if (!(response.headers['content-type'] ?? '').startsWith('application/json')) {
        // An incoming webhook answers plain "ok"; anything else is an error it explains in the text.
        if (response.body !== 'ok') return { ok: false, retryable: false, error: `${prefix}received an error response from Slack: ${response.body.slice(0, 1024)}` };
        return { ok: true };
      }
      let answer: { ok?: unknown; error?: unknown };
      try {
        answer = JSON.parse(response.body) as { ok?: unknown; error?: unknown };
      } catch {
        return { ok: false, retryable: true, error: `${prefix}could not unmarshal JSON response ${JSON.stringify(response.body.slice(0, 1024))}` };
      }
      if (answer.ok !== true) return { ok: false, retryable: false, error: `${prefix}error response from Slack: ${String(answer.error ?? '')}` };
      return { ok: true };
    });
  }
}
