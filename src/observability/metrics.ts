import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/database.js';
import type { TokenUsage } from '../llm/chat-model.js';

export interface ModelCallReport {
  model: string;
  outcome: 'complete' | 'stopped' | 'error';
  durationMs: number;
  /** Time to the first piece of text, if any came. */
  firstTokenMs?: number;
  usage: TokenUsage | null;
  /** How it failed (an `error` outcome): the code the client was given. */
  errorCode?: string;
}

/** Prometheus metrics of one app (its own registry, so several apps in one process never collide). */
export function createMetrics(db?: Database) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [registry],
  });
  const modelDuration = new Histogram({
    name: 'model_request_duration_seconds',
    help: 'Duration of a whole model call by outcome',
    labelNames: ['model', 'outcome'],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 20, 40, 60, 120],
    registers: [registry],
  });
  const firstToken = new Histogram({
    name: 'model_time_to_first_token_seconds',
    help: 'Time from the model call to its first text',
    labelNames: ['model'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'model_tokens_total',
    help: 'Tokens reported by the model server',
    labelNames: ['model', 'kind'],
    registers: [registry],
  });
  const mailFailures = new Counter({ name: 'mail_failures_total', help: 'Mails the mail server did not take', registers: [registry] });
  const activeStreams = new Gauge({ name: 'sse_active_streams', help: 'Open Server-Sent Event streams', registers: [registry] });
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database pool connections by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      if (!db) return;
      this.set({ state: 'total' }, db.pool.totalCount);
      this.set({ state: 'idle' }, db.pool.idleCount);
      this.set({ state: 'waiting' }, db.pool.waitingCount);
    },
  });

  return {
    registry,
    /** Times every request, labelled by its route pattern (never its raw URL: ids would explode the series). */
    httpTimer: ((req, res, next) => {
      const stop = httpDuration.startTimer();
      res.on('finish', () => {
        const pattern = (req.route as { path?: unknown } | undefined)?.path;
        const route = typeof pattern === 'string' ? `${req.baseUrl}${pattern}`.replace(/(.)\/$/, '$1') : 'unmatched';
        stop({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    }) as RequestHandler,
    /** A mail (a password reset link) the mail server did not take. */
    mailFailed(): void {
      mailFailures.inc();
    },

    modelCall(report: ModelCallReport): void {
      modelDuration.observe({ model: report.model, outcome: report.outcome }, report.durationMs / 1000);
      if (report.firstTokenMs !== undefined) firstToken.observe({ model: report.model }, report.firstTokenMs / 1000);
      if (report.usage) {
        tokens.inc({ model: report.model, kind: 'prompt' }, report.usage.promptTokens);
        tokens.inc({ model: report.model, kind: 'completion' }, report.usage.completionTokens);
      }
    },
    streamOpened: () => activeStreams.inc(),
    streamClosed: () => activeStreams.dec(),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
