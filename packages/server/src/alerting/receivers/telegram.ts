/**
 * telegram_configs: the Bot API's sendMessage, as Alertmanager's Telegram client calls it: a JSON
 * object of string parameters (chat_id, text, parse_mode, …) posted to
 * `<api_url>/bot<token>/sendMessage`; the answer is JSON whose `ok` must be true. With parse_mode
 * HTML the message is rendered as HTML (data escaped).
 */
import type { TelegramConfig } from '../config/types.ts';
import type { Alert, Notifier, NotifyContext, NotifyResult } from '../types.ts';
import { truncateInRunes } from './data.ts';
import { goJsonEncode, sortedRecord } from './go-json.ts';
import { readSettingFile } from './http.ts';
import { deliver, defaultRetryPolicy, guarded, startRendering } from './notifier.ts';
import type { NotifierDependencies } from './notifier.ts';

/** Telegram's limit on a message, in runes. */
export const telegramMaxMessageRunes = 4096;
/** Sent instead of an HTML message over the limit: cutting HTML could leave a tag open, which Telegram rejects. */
export const telegramTooLongMessage = 'Alertmanager notification could not be sent: message length exceeds Telegram limits.\nPlease check the template used for producing the message content.';

export class TelegramNotifier implements Notifier {
  private readonly config: TelegramConfig;
  private readonly dependencies: NotifierDependencies;

  constructor(config: TelegramConfig, dependencies: NotifierDependencies) {
    this.config = config;
    this.dependencies = dependencies;
  }

  async render(context: NotifyContext, alerts: readonly Alert[]): Promise<{ body: string; url: string }> {
    const config = this.config;
    const { renderer } = startRendering(this.dependencies, context, alerts);
    let message: string;
    if (config.parseMode === 'HTML') {
      message = await renderer.html(config.message);
      if (Array.from(message).length > telegramMaxMessageRunes) message = telegramTooLongMessage;
    } else {
      const truncated = truncateInRunes(await renderer.text(config.message), telegramMaxMessageRunes);
      if (truncated.truncated) this.dependencies.logger.warn('Truncated message', { max_runes: telegramMaxMessageRunes, group_key: context.groupKey });
      message = truncated.text;
    }
    const token = config.botToken ?? (config.botTokenFile === undefined ? '' : await readSettingFile(config.botTokenFile, 'bot_token_file'));
    let chatId = String(config.chatId);
    if (config.chatIdFile !== undefined) {
      const written = await readSettingFile(config.chatIdFile, 'chat_id_file');
      if (!/^[+-]?\d+$/.test(written)) throw new Error(`could not parse chat_id from ${config.chatIdFile}: invalid syntax`);
      chatId = String(BigInt(written));
    }
    const parameters: Record<string, string> = { chat_id: chatId, text: message, disable_web_page_preview: 'true' };
    if (config.parseMode !== '') parameters.parse_mode = config.parseMode;
    if (config.disableNotifications) parameters.disable_notification = 'true';
    if (config.messageThreadId !== 0) parameters.message_thread_id = String(config.messageThreadId);
    return { body: goJsonEncode(sortedRecord(parameters)), url: `${config.apiUrl.replace(/\/$/, '')}/bot${token}/sendMessage` };
  }

  async notify(context: NotifyContext, alerts: readonly Alert[]): Promise<NotifyResult> {
    return await guarded(async () => {
      const { body, url } = await this.render(context, alerts);
      const delivery = await deliver(this.dependencies.sender, { url, body, signal: context.signal }, defaultRetryPolicy, { all: 'telegram: ' });
      if (!delivery.ok) return delivery.result;
      let answer: { ok?: unknown; description?: unknown; error_code?: unknown };
      try {
        answer = JSON.parse(delivery.response.body) as typeof answer;
      } catch {
        return { ok: false, retryable: true, error: `telegram: invalid answer ${JSON.stringify(delivery.response.body.slice(0, 1024))}` };
      }
      if (answer.ok !== true) return { ok: false, retryable: true, error: `telegram: ${String(answer.description ?? 'request failed')} (${String(answer.error_code ?? '')})` };
      return { ok: true };
    });
  }
}
