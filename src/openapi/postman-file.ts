import { loadConfig } from '../config.js';
import { DEMO_MODEL } from '../llm/demo-model.js';
import { apiRoutes } from '../routes.js';
import { APP_VERSION } from '../version.js';
import { buildOpenApiDocument } from './document.js';
import { toPostmanCollection } from './postman.js';

/** The collection for the default configuration, as the file docs/ ships. */
export function postmanCollectionJson(): string {
  const config = loadConfig({}, () => 'unused');
  const document = buildOpenApiDocument(
    apiRoutes({ maxChars: config.chat.messageMaxChars, models: [DEMO_MODEL], uploadMaxBytes: config.attachments.uploadMaxBytes }),
    APP_VERSION,
  );
  return `${JSON.stringify(toPostmanCollection(document as Parameters<typeof toPostmanCollection>[0]), null, 2)}\n`;
}
