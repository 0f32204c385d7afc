import { routeFor } from '../http/route.js';
import * as R from '../openapi/response.schemas.js';
import type { HealthService } from './health.service.js';

const route = routeFor<{ health: HealthService }>();
const tag = 'Operations';

/** Served before the session is read, so they answer (503) with the database down. */
export const healthRoutes = [
  route({
    method: 'get',
    path: '/api/health',
    summary: 'Health: database and model',
    tag,
    auth: false,
    sessionless: true,
    responses: { 200: R.Health, 503: R.Health },
    async handle({ deps, res }) {
      res.json(await deps.health.health());
    },
  }),
  route({
    method: 'get',
    path: '/api/health/live',
    summary: 'Liveness: the process answers',
    tag,
    auth: false,
    sessionless: true,
    responses: { 200: R.Liveness },
    // The process is up and its event loop turns (restart it if this fails).
    handle: ({ res }) => void res.json({ status: 'ok' }),
  }),
  route({
    method: 'get',
    path: '/api/health/ready',
    summary: 'Readiness: database reachable, migrations applied',
    tag,
    auth: false,
    sessionless: true,
    responses: { 200: R.Readiness, 503: R.Readiness },
    async handle({ deps, res }) {
      res.json(await deps.health.readiness());
    },
  }),
];
