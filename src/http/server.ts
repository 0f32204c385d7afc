import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Express } from 'express';

export interface ServerSettings {
  /** The whole request (headers and body) must arrive within this (a slow-body client is cut off). */
  requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this (above a load balancer's own idle timeout). */
  keepAliveTimeoutMs: number;
  /** Serve HTTPS directly with this certificate and key (PEM files), for deployments without a proxy. */
  tls?: { certFile: string; keyFile: string };
}

const MAX_HEADERS = 100;
// How often Node checks the request and headers timeouts (its default, 30 s, would let a slow body run on).
const CHECK_EVERY_MS = 1000;

/**
 * The HTTP(S) server around the app, with timeouts of its own: Node's defaults let a client take 300 s to
 * send a body. They bound receiving a request only; a response (an event stream) may last as long as it needs.
 */
export function createServer(app: Express, settings: ServerSettings): http.Server {
  const options: http.ServerOptions = {
    requestTimeout: settings.requestTimeoutMs,
    headersTimeout: Math.min(settings.requestTimeoutMs, 20_000),
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    connectionsCheckingInterval: CHECK_EVERY_MS,
  };
  const server = settings.tls
    ? https.createServer({ ...options, cert: fs.readFileSync(settings.tls.certFile), key: fs.readFileSync(settings.tls.keyFile) }, app)
    : http.createServer(options, app);
  server.maxHeadersCount = MAX_HEADERS;
  return server;
}
