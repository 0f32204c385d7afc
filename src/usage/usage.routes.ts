import { z } from 'zod';
import { routeFor } from '../http/route.js';
import * as R from '../openapi/response.schemas.js';
import type { AuthService } from '../auth/auth.service.js';
import type { UsageService } from './usage.service.js';

const route = routeFor<{ usage: UsageService; auth: Pick<AuthService, 'plan'> }>();
const Day = z.iso.date('Use a date like 2026-01-31.');
export const UsageQuery = z.object({ from: Day.optional(), to: Day.optional() });

export const usageRoutes = [
  route({
    method: 'get',
    path: '/api/usage',
    summary: 'Tokens per day and model, and today’s budget',
    tag: 'Data',
    auth: true,
    input: { query: UsageQuery },
    responses: { 200: R.UsageReport, 400: R.ErrorBody },
    async handle({ input, deps, user, res }) {
      res.json(await deps.usage.report(user.id, input.query, (await deps.auth.plan(user.id)).dailyTokenLimit));
    },
  }),
];
