import type { Express, Request } from 'express';
import type { TLSSocket } from 'node:tls';
import proxyaddr from 'proxy-addr';

type Trust = (address: string, hop: number) => boolean;

/**
 * `req.protocol` (and so `req.secure`, which logins and secure cookies rely on) as the trusted proxy
 * wrote it. Proxies append to X-Forwarded-Proto as they do to X-Forwarded-For, so its leftmost value
 * may be the client's own (`X-Forwarded-Proto: https` sent over plain HTTP through a proxy that appends
 * `http`); Express reads the leftmost. Here the value is the one at the hop of the outermost proxy
 * TRUST_PROXY trusts, found with the same trust function, counting from the right.
 */
export function useTrustedProtocol(app: Express): void {
  Object.defineProperty(app.request, 'protocol', {
    configurable: true,
    enumerable: true,
    get(this: Request): string {
      const own = (this.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
      const trust = this.app.get('trust proxy fn') as Trust;
      const header = this.get('X-Forwarded-Proto');
      if (!header || !trust(this.socket.remoteAddress ?? '', 0)) return own;
      const values = header.split(',').map((value) => value.trim().toLowerCase());
      // The addresses from the socket's peer back towards the client: the trusted ones are proxies.
      const addresses = proxyaddr.all(this, trust);
      let proxies = 0;
      while (proxies < addresses.length && trust(addresses[proxies]!, proxies)) proxies++;
      const written = values[Math.max(0, values.length - proxies)];
      return written === 'https' || written === 'http' ? written : own;
    },
  });
}
