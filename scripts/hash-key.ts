/**
 * `npm run -s hash-key < key.txt` (or `printf %s "$KEY" | npm run -s hash-key`): prints the sha256 hex of an API key
 * read from stdin (one trailing newline is ignored), for the `sha256` of an entry in GRIOT_API_KEYS.
 */
import { hashApiKey } from '../src/auth/api-keys.js';

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const key = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
if (!key) {
  console.error('hash-key: no key on stdin (usage: printf %s "$KEY" | npm run -s hash-key)');
  process.exit(2);
}
console.log(hashApiKey(key));
