import type http from 'node:http';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';

/**
 * The agent that sends a model call through the forward proxy the environment names, as curl reads it:
 * `HTTPS_PROXY` for https servers (a CONNECT tunnel), `HTTP_PROXY` for http ones, `ALL_PROXY` for
 * either, and `NO_PROXY` (hosts, domains, `*`) for those reached directly; either case. Undefined: no
 * proxy for that server. One keep-alive agent per proxy, decided once per server origin.
 */
export function createProxyAgents(): (target: URL) => http.Agent | undefined {
  const byOrigin = new Map<string, http.Agent | undefined>();
  const byProxy = new Map<string, http.Agent>();
  return (target) => {
    if (byOrigin.has(target.origin)) return byOrigin.get(target.origin);
    const proxy = getProxyForUrl(target);
    let agent: http.Agent | undefined;
    if (proxy) {
      const key = `${target.protocol} ${proxy}`;
      agent = byProxy.get(key);
      if (!agent) {
        agent =
          target.protocol === 'https:' ? new HttpsProxyAgent(proxy, { keepAlive: true }) : new HttpProxyAgent(proxy, { keepAlive: true });
        byProxy.set(key, agent);
      }
    }
    byOrigin.set(target.origin, agent);
    return agent;
  };
}
