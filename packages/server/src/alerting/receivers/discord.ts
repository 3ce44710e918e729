/**
 * discord_configs: a webhook message with one embed (title, description, colour by status), plus
 * `content`, `username` and `avatar_url` when set, within Discord's length limits.
 */
import type { DiscordConfig } from '../config/types.ts';
import type { Alert, Notifier, NotifyContext, NotifyResult } from '../types.ts';
import { truncateInRunes } from './data.ts';
import { goJsonEncode } from './go-json.ts';
import { readSettingFile } from './http.ts';
import { defaultRetryPolicy, deliver, guarded, startRendering } from './notifier.ts';
import type { NotifierDependencies } from './notifier.ts';

/** Discord's embed and content limits, in runes. */
export const discordLimits = { title: 256, description: 4096, content: 2000 } as const;
const colors = { firing: 0x992d22, resolved: 0x2ecc71 } as const;

export class DiscordNotifier implements Notifier {
  private readonly config: DiscordConfig;
  private readonly dependencies: NotifierDependencies;

  constructor(config: DiscordConfig, dependencies: NotifierDependencies) {
    this.config = config;
    this.dependencies = dependencies;
  }

  async render(context: NotifyContext, alerts: readonly Alert[]): Promise<{ body: string; url: string }> {
    const { notification, renderer } = startRendering(this.dependencies, context, alerts);
    const limited = async (field: string, limit: number, what: string): Promise<string> => {
      const result = truncateInRunes(await renderer.text(field), limit);
      if (result.truncated) this.dependencies.logger.warn(`Truncated ${what}`, { max_runes: limit, group_key: context.groupKey });
      return result.text;
    };
    const title = await limited(this.config.title, discordLimits.title, 'title');
    const description = await limited(this.config.message, discordLimits.description, 'message');
    const content = await limited(this.config.content, discordLimits.content, 'message');
    let avatarUrl = '';
    if (this.config.avatarUrl !== '') {
      if (URL.canParse(this.config.avatarUrl)) avatarUrl = this.config.avatarUrl;
      else this.dependencies.logger.warn('Bad avatar url', { key: context.groupKey });
    }
    const body = goJsonEncode({
      content,
      embeds: [{ title, description, color: colors[notification.status] }],
      ...(this.config.username === '' ? {} : { username: this.config.username }),
      ...(avatarUrl === '' ? {} : { avatar_url: avatarUrl }),
    });
    const url = this.config.webhookUrl ?? (await readSettingFile(this.config.webhookUrlFile ?? '', 'webhook_url_file'));
    return { body, url };
  }

  async notify(context: NotifyContext, alerts: readonly Alert[]): Promise<NotifyResult> {
    return await guarded(async () => {
      const { body, url } = await this.render(context, alerts);
      const delivery = await deliver(this.dependencies.sender, { url, body, signal: context.signal }, defaultRetryPolicy);
      return delivery.ok ? { ok: true } : delivery.result;
    });
  }
}
