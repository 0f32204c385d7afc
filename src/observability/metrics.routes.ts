import { timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.js';
import { NotFoundError, UnauthorizedError } from '../http/errors.js';
import { routeFor } from '../http/route.js';
import * as R from '../openapi/response.schemas.js';
import type { Metrics } from './metrics.js';

const route = routeFor<{ metrics: Metrics; config: Pick<Config, 'metricsToken' | 'isProduction'> }>();
const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export const metricsRoutes = [
  route({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (bearer METRICS_TOKEN when set)',
    tag: 'Operations',
    auth: false,
    sessionless: true,
    responses: { 200: undefined, 401: R.ErrorBody, 404: R.ErrorBody },
    async handle({ deps, req, res }) {
      // With METRICS_TOKEN set, only for `Authorization: Bearer <token>`; in production, only with it set.
      const token = deps.config.metricsToken;
      if (!token && deps.config.isProduction) throw new NotFoundError('There is no route for GET /metrics.', 'route_not_found');
      if (token && !sameSecret(req.get('authorization') ?? '', `Bearer ${token}`)) {
        throw new UnauthorizedError('metrics_token_required', 'A valid metrics bearer token is required.');
      }
      res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    },
  }),
];
