import { adminRoutes } from './admin/admin.routes.js';
import { attachmentRoutes } from './attachments/attachments.routes.js';
import { authRoutes } from './auth/auth.routes.js';
import { signInRoutes } from './auth/sign-in.routes.js';
import { chatRoutes } from './chats/chats.routes.js';
import type { ChatSchemaLimits } from './chats/chats.schema.js';
import { healthRoutes } from './health/health.routes.js';
import type { Route } from './http/route.js';
import { modelRoutes } from './llm/models.routes.js';
import { metricsRoutes } from './observability/metrics.routes.js';
import { docsRoutes } from './openapi/docs.routes.js';
import { portabilityRoutes } from './portability/portability.routes.js';
import { searchRoutes } from './search/search.routes.js';
import type { Services } from './services.js';
import { sharingRoutes } from './sharing/sharing.routes.js';
import { usageRoutes } from './usage/usage.routes.js';

/** What every route handler may be given: the services, plus the API's own description. */
export type RouteDeps = Services & { openApiDocument: object };

/**
 * THE route table: every route of the API, each declared once by its feature. The app mounts exactly
 * these; the OpenAPI document and the Postman collection are generated from them.
 */
export function apiRoutes(limits: ChatSchemaLimits & { uploadMaxBytes: number }): Route<RouteDeps>[] {
  return [
    ...healthRoutes,
    ...authRoutes,
    ...signInRoutes,
    ...chatRoutes(limits),
    ...attachmentRoutes(limits.uploadMaxBytes),
    ...modelRoutes,
    ...searchRoutes,
    ...portabilityRoutes,
    ...sharingRoutes,
    ...usageRoutes,
    ...adminRoutes,
    ...docsRoutes,
    ...metricsRoutes,
  ];
}
