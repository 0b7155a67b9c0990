import { ServiceClientCredentialsFactory, type ServiceClientCredentials } from 'botframework-connector';
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Bot Framework's token service: it publishes an OpenID configuration and
 * a signing key (endorsed for the given channels), and signs channel tokens the way the Bot
 * Connector does, so the real CloudAdapter authenticates requests end to end on this machine.
 */
export interface ChannelAuthStandIn {
  metadataUrl: string;
  /** A Bearer token for one request, as the Bot Connector would send it to the bot. */
  tokenFor(claims: { appId: string; serviceUrl: string; issuer?: string; expiresInS?: number }): string;
  /** The bot's settings for an app id whose channel tokens this stand-in signs. */
  botEnv(appId: string): Record<string, string>;
  close(): Promise<void>;
}

const CHANNEL_ISSUER = 'https://api.botframework.com';

export async function startChannelAuthStandIn(endorsements: string[] = ['msteams']): Promise<ChannelAuthStandIn> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = publicKey.export({ format: 'jwk' });
  const server = http.createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/.well-known/openidconfiguration') {
      res.end(JSON.stringify({ issuer: CHANNEL_ISSUER, jwks_uri: `${base}/v1/.well-known/keys` }));
    } else if (req.url === '/v1/.well-known/keys') {
      res.end(JSON.stringify({ keys: [{ kty: 'RSA', use: 'sig', kid, n: jwk.n, e: jwk.e, endorsements }] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const metadataUrl = `http://127.0.0.1:${port}/v1/.well-known/openidconfiguration`;
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return {
    metadataUrl,
    tokenFor: ({ appId, serviceUrl, issuer = CHANNEL_ISSUER, expiresInS = 600 }) => {
      const now = Math.floor(Date.now() / 1000);
      const header = encode({ alg: 'RS256', typ: 'JWT', kid });
      const payload = encode({
        iss: issuer,
        aud: appId,
        serviceurl: serviceUrl,
        nbf: now - 5,
        iat: now,
        exp: now + expiresInS,
      });
      const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey).toString('base64url');
      return `${header}.${payload}.${signature}`;
    },
    botEnv: (appId) => ({
      MicrosoftAppId: appId,
      // Never used: outgoing calls in these tests carry StandInChannelCredentials' token, or none.
      MicrosoftAppPassword: 'not-used-by-these-tests',
      ToBotFromChannelOpenIdMetadataUrl: metadataUrl,
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The bot's credentials for its own calls to the channel, in tests: every call carries a fixed
 * token (the channel stand-in records it). The real ones come from Microsoft Entra ID over https.
 */
/** One token service stand-in for the describe block it is called in (mocha hooks). */
export function useChannelAuthStandIn(): ChannelAuthStandIn {
  let current: ChannelAuthStandIn | undefined;
  before(async () => {
    current = await startChannelAuthStandIn();
  });
  after(() => current?.close());
  const now = (): ChannelAuthStandIn => {
    if (!current) throw new Error('the token service stand-in runs only inside the describe block');
    return current;
  };
  return {
    get metadataUrl() {
      return now().metadataUrl;
    },
    tokenFor: (claims) => now().tokenFor(claims),
    botEnv: (appId) => now().botEnv(appId),
    close: () => now().close(),
  };
}

export class StandInChannelCredentials extends ServiceClientCredentialsFactory {
  constructor(private readonly appId: string) {
    super();
  }
  async isValidAppId(appId: string): Promise<boolean> {
    return appId === this.appId;
  }
  async isAuthenticationDisabled(): Promise<boolean> {
    return false;
  }
  async createCredentials(): Promise<ServiceClientCredentials> {
    return {
      signRequest: async (request) => {
        request.headers.set('authorization', 'Bearer stand-in-bot-token');
        return request;
      },
    };
  }
}
