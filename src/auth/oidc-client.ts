import * as client from 'openid-client';
import type { Logger } from 'pino';
import type { AccessConfig } from '../config.parsers.js';

type OidcConfig = NonNullable<AccessConfig['oidc']>;

/** What a login keeps in its browser's session between the redirect to the provider and the callback. */
export interface OidcFlow {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

export interface OidcIdentity {
  issuer: string;
  subject: string;
  email?: string;
  emailVerified: boolean;
}

/**
 * The relying party (openid-client): the authorization code flow with PKCE (S256), a state and a nonce.
 * The provider's discovery document is read at start and again after a failure (a provider down at
 * start is not an app down).
 */
export function createOidcClient(config: OidcConfig, logger: Logger) {
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = (): Promise<client.Configuration> => {
    // An http:// issuer (development, tests; refused in production by the config) needs saying so.
    const options = config.issuer.startsWith('http:') ? { execute: [client.allowInsecureRequests] } : undefined;
    discovered ??= client
      .discovery(new URL(config.issuer), config.clientId, config.clientSecret, undefined, options)
      .catch((err: unknown) => {
        discovered = undefined;
        throw err;
      });
    return discovered;
  };

  return {
    name: config.name,

    /** At start: reads the discovery document (a failure is logged; the next login tries again). */
    async discover(): Promise<void> {
      await configuration().then(
        () => logger.info({ issuer: config.issuer }, 'single sign-on: the provider answers'),
        (err: unknown) => logger.warn({ err, issuer: config.issuer }, 'single sign-on: the provider does not answer yet'),
      );
    },

    /** The provider's authorization URL for a new login, and what the callback must find in the session. */
    async start(redirectUri: string, returnTo: string): Promise<{ url: string; flow: OidcFlow }> {
      const c = await configuration();
      const verifier = client.randomPKCECodeVerifier();
      const flow = { state: client.randomState(), nonce: client.randomNonce(), verifier, returnTo };
      const url = client.buildAuthorizationUrl(c, {
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: config.scopes,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
      });
      return { url: url.href, flow };
    },

    /** Redeems the callback's code: state, PKCE verifier and the ID token's nonce checked; who signed in. */
    async finish(callbackUrl: URL, flow: OidcFlow): Promise<OidcIdentity> {
      const c = await configuration();
      const tokens = await client.authorizationCodeGrant(c, callbackUrl, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      // Many providers put the email in the ID token; the others (and oidc-provider) only at userinfo.
      const profile = typeof claims.email === 'string' ? claims : await client.fetchUserInfo(c, tokens.access_token, claims.sub);
      return {
        issuer: claims.iss,
        subject: claims.sub,
        email: typeof profile.email === 'string' ? profile.email : undefined,
        // Microsoft Entra ID sends no email_verified; its `xms_edov` says the tenant verified the email's domain.
        emailVerified: profile.email_verified === true || profile.xms_edov === true,
      };
    },
  };
}

export type OidcClient = ReturnType<typeof createOidcClient>;
