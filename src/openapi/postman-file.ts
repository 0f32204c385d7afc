import { loadConfig } from '../config.js';
import { DEMO_MODEL } from '../llm/demo-model.js';
import { buildOpenApiDocument } from './document.js';
import { toPostmanCollection } from './postman.js';

/** The collection for the default configuration, as the file docs/ ships. */
export function postmanCollectionJson(): string {
  const config = loadConfig({}, () => 'unused');
  const document = buildOpenApiDocument({ maxChars: config.chat.messageMaxChars, models: [DEMO_MODEL] }, '0.1.0');
  return `${JSON.stringify(toPostmanCollection(document as Parameters<typeof toPostmanCollection>[0]), null, 2)}\n`;
}
