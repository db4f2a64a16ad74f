#!/usr/bin/env node
// The griot-registry command. In a checkout with dev dependencies it runs the TypeScript source through tsx (no
// build step); in a production install (no tsx) it runs the build from `npm run build` (dist/).
let tsx = null;
try {
  tsx = await import('tsx/esm/api');
} catch {
  // production: no tsx
}
if (tsx) {
  tsx.register();
  await import('../src/cli-main.ts');
} else {
  await import('../dist/cli-main.js');
}
