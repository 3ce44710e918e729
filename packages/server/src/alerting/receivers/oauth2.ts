/**
 * `http_config.oauth2` with the client credentials grant, as Prometheus's HTTP client does it
 * (golang.org/x/oauth2/clientcredentials): the token is fetched from `token_url` with the client's
 * id and secret, kept until 10 seconds before it expires, and sent as `Authorization: <type> <token>`.
 * Like x/oauth2's auto-detection, the credentials go in a basic auth header first and, if the server
 * refuses that, in the form body.
 */
import type { OAuth2Config } from '../../config/index.ts';
import type { HttpFunction } from './http.ts';

/** x/oauth2 treats a token as expired this long before its expiry. */
const expiryMarginMs = 10_000;

interface Token {
  type: string;
  accessToken: string;
  /** 0: never expires. */
  expiresAt: number;
}

export interface OAuth2Dependencies {
  /** Sends the token request (with the oauth2 section's own TLS and proxy settings applied). */
  http: HttpFunction;
  userAgent: string;
  readSecretFile: (file: string) => Promise<string>;
  now?: () => number;
}

/** url.QueryEscape, which x/oauth2 applies to the id and secret in the basic auth header. */
function queryEscape(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, '+').replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Token responses are JSON, or form-encoded from some older servers. */
function parseTokenResponse(contentType: string, body: string): Record<string, unknown> {
  if (contentType.startsWith('application/x-www-form-urlencoded') || contentType.startsWith('text/plain')) {
    return Object.fromEntries(new URLSearchParams(body));
  }
  return JSON.parse(body) as Record<string, unknown>;
}

export class OAuth2TokenSource {
  private readonly config: OAuth2Config;
  private readonly dependencies: OAuth2Dependencies;
  private token: Token | undefined;
  private pending: Promise<Token> | undefined;
  /** Whether the server took the credentials in the header; undefined until known. */
  private headerStyle: boolean | undefined;

  constructor(config: OAuth2Config, dependencies: OAuth2Dependencies) {
    this.config = config;
    this.dependencies = dependencies;
  }

  /** The Authorization header value, fetching a token when there is none or it is about to expire. */
  async authorization(signal: AbortSignal): Promise<string> {
    const now = (this.dependencies.now ?? Date.now)();
    if (this.token === undefined || (this.token.expiresAt !== 0 && this.token.expiresAt - expiryMarginMs <= now)) {
      // Concurrent notifications share one token request.
      this.pending ??= this.fetchToken(signal).finally(() => (this.pending = undefined));
      this.token = await this.pending;
    }
    return `${this.token.type} ${this.token.accessToken}`;
  }

  private async fetchToken(signal: AbortSignal): Promise<Token> {
    const secret = this.config.clientSecretFile !== undefined ? await this.dependencies.readSecretFile(this.config.clientSecretFile) : (this.config.clientSecret ?? '');
    const attempt = async (inHeader: boolean): Promise<{ status: number; headers: Record<string, string>; body: string }> => {
      const form = new URLSearchParams();
      form.set('grant_type', 'client_credentials');
      if (this.config.scopes.length > 0) form.set('scope', this.config.scopes.join(' '));
      for (const [name, value] of Object.entries(this.config.endpointParams)) form.set(name, value);
      const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': this.dependencies.userAgent };
      if (inHeader) headers.Authorization = `Basic ${Buffer.from(`${queryEscape(this.config.clientId)}:${queryEscape(secret)}`, 'utf8').toString('base64')}`;
      else {
        form.set('client_id', this.config.clientId);
        if (secret !== '') form.set('client_secret', secret);
      }
      return await this.dependencies.http({ method: 'POST', url: this.config.tokenUrl, headers, body: form.toString(), signal, followRedirects: true });
    };
    let response = await attempt(this.headerStyle ?? true);
    if (this.headerStyle === undefined) {
      if (response.status >= 200 && response.status < 300) this.headerStyle = true;
      else {
        response = await attempt(false);
        if (response.status >= 200 && response.status < 300) this.headerStyle = false;
      }
    }
    if (response.status < 200 || response.status > 299) {
      throw new Error(`oauth2: cannot fetch token: ${response.status}\nResponse: ${response.body.slice(0, 1024)}`);
    }
    let fields: Record<string, unknown>;
    try {
      fields = parseTokenResponse(response.headers['content-type'] ?? '', response.body);
    } catch (error) {
      throw new Error(`oauth2: cannot parse json: ${(error as Error).message}`, { cause: error });
    }
    const accessToken = typeof fields.access_token === 'string' ? fields.access_token : '';
    if (accessToken === '') throw new Error('oauth2: server response missing access_token');
    const written = typeof fields.token_type === 'string' ? fields.token_type : '';
    // x/oauth2's Token.Type: "bearer", "mac" and "basic" in any case are normalised; empty means Bearer.
    const normalised: Record<string, string> = { bearer: 'Bearer', mac: 'MAC', basic: 'Basic', '': 'Bearer' };
    const type = normalised[written.toLowerCase()] ?? written;
    const expiresIn = Number(fields.expires_in ?? 0);
    const expiresAt = Number.isFinite(expiresIn) && expiresIn > 0 ? (this.dependencies.now ?? Date.now)() + expiresIn * 1000 : 0;
    return { type, accessToken, expiresAt };
  }
}
