import { isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node } from 'yaml';

/** Keys whose values Alertmanager holds as `Secret` or `SecretURL` wherever they appear. */
const SECRET_KEYS = new Set([
  'smtp_auth_password',
  'smtp_auth_secret',
  'slack_api_url',
  'opsgenie_api_key',
  'telegram_bot_token',
  'auth_password',
  'auth_secret',
  'password',
  'bearer_token',
  'credentials',
  'client_secret',
  'routing_key',
  'service_key',
  'api_key',
  'api_secret',
  'bot_token',
  'token',
  'user_key',
  'webhook_url',
]);

/** Keys that are secret only inside one kind of integration. */
const SECRET_KEYS_IN: Record<string, ReadonlySet<string>> = {
  slack_configs: new Set(['api_url']),
  webhook_configs: new Set(['url']),
};

/**
 * The config file's text with its secrets replaced by `<secret>`, as Alertmanager shows its config in
 * `/api/v2/status` (Vigil keeps the file's own layout and comments rather than re-marshalling it).
 */
export function redactConfigText(text: string): string {
  const document = parseDocument(text);
  if (document.errors.length > 0) return '';
  redact(document.contents, null);
  return document.toString();
}

function redact(node: Node | null | unknown, integrationKey: string | null): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const secret = SECRET_KEYS.has(key) || (integrationKey !== null && SECRET_KEYS_IN[integrationKey]?.has(key) === true);
      if (secret && isScalar(pair.value) && pair.value.value !== null && pair.value.value !== '') {
        pair.value.value = '<secret>';
        continue;
      }
      redact(pair.value, key in SECRET_KEYS_IN ? key : integrationKey);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) redact(item, integrationKey);
  }
}
