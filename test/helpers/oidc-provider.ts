import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestAccount {
  email: string;
  emailVerified: boolean;
}

/**
 * A real OpenID provider (oidc-provider) on a loopback port, its login and consent pages the library's
 * own development ones: the login typed is the account's `sub`. Accounts are set with `accounts.set`.
 * The client's redirect URIs may be given once the app's address is known (`register`).
 */
export async function startOidcProvider(client = { id: 'gpt-backend', secret: 'oidc-test-client-secret-0123456789' }) {
  // Until `register`, it answers as a provider that is down.
  const server = http.createServer((_req, res) => res.writeHead(503).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, TestAccount>();
  let provider: Provider | undefined;

  return {
    issuer,
    client,
    accounts,
    /** Starts answering, for a client whose callback is at these URIs. */
    register(redirectUris: string[]) {
      provider = new Provider(issuer, {
        clients: [
          {
            client_id: client.id,
            client_secret: client.secret,
            redirect_uris: redirectUris,
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        ],
        pkce: { required: () => true },
        claims: { openid: ['sub'], email: ['email', 'email_verified'] },
        cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
        features: { devInteractions: { enabled: true } },
        async findAccount(_ctx: unknown, sub: string) {
          const account = accounts.get(sub);
          if (!account) return undefined;
          return { accountId: sub, claims: async () => ({ sub, email: account.email, email_verified: account.emailVerified }) };
        },
      });
      server.removeAllListeners('request');
      server.on('request', provider.callback());
    },
    env(extra: Record<string, string> = {}) {
      return { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: client.id, OIDC_CLIENT_SECRET: client.secret, ...extra };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type TestOidcProvider = Awaited<ReturnType<typeof startOidcProvider>>;

/** A browser's cookies for one origin, enough for the provider's interaction pages. */
function cookieJar() {
  const cookies = new Map<string, string>();
  return {
    header: () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    take(res: Response) {
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = pair!.indexOf('=');
        cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
      }
    },
  };
}

/**
 * Signs `login` in at the provider, as a browser would, from the authorization URL the app redirected
 * to, through the login and consent pages; returns the URL the provider sends the browser back to.
 */
export async function signInAtProvider(authorizationUrl: string, login: string): Promise<URL> {
  const jar = cookieJar();
  let url = new URL(authorizationUrl);
  const origin = url.origin;
  for (let step = 0; step < 20; step++) {
    if (url.origin !== origin) return url; // back to the app
    const interaction = /^\/interaction\/([^/]+)$/.exec(url.pathname);
    let res: Response;
    if (interaction) {
      const page = await fetch(url, { headers: { cookie: jar.header() }, redirect: 'manual' });
      jar.take(page);
      const html = await page.text();
      const body: Record<string, string> = html.includes('name="login"')
        ? { prompt: 'login', login, password: 'any' }
        : { prompt: 'consent' };
      res = await fetch(url, {
        method: 'POST',
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
        redirect: 'manual',
      });
    } else res = await fetch(url, { headers: { cookie: jar.header() }, redirect: 'manual' });
    jar.take(res);
    const location = res.headers.get('location');
    if (!location) throw new Error(`the provider answered ${res.status} at ${url.pathname}: ${(await res.text()).slice(0, 300)}`);
    url = new URL(location, url);
  }
  throw new Error('too many redirects at the provider');
}
