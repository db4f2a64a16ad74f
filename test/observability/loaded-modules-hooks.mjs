// Loader hooks of loaded-modules.mjs: one line per resolved ES module import.
import { appendFileSync } from 'node:fs';

let file;
export function initialize(data) {
  file = data.file;
}
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(file, `esm ${result.url}\n`);
  return result;
}
