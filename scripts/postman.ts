/** `npm run postman`: writes docs/gpt-backend.postman_collection.json from the OpenAPI document. */
import fs from 'node:fs';
import { postmanCollectionJson } from '../src/openapi/postman-file.js';

const target = new URL('../docs/gpt-backend.postman_collection.json', import.meta.url);
fs.writeFileSync(target, postmanCollectionJson());
console.log(`wrote ${target.pathname}`);
