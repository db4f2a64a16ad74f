/** What a client may ask about the registry itself. */
import { builder } from './builder.js';
import { closedValue, STORAGE_BACKENDS, StorageBackendKindEnum } from './closed-sets.js';

const StorageInfo = builder.objectRef<{ backend: string; textSearch: boolean; serverVersion: string | null }>('StorageInfo').implement({
  description: 'The storage backend serving the registry and the capabilities it detected at start-up.',
  fields: (t) => ({
    backendKind: t.field({
      type: StorageBackendKindEnum,
      description: 'The kind of backend: MONGODB (MongoDB or FerretDB) or MEMORY.',
      resolve: (info) => closedValue(STORAGE_BACKENDS, info.backend, 'storage backend'),
    }),
    backend: t.exposeString('backend', { description: 'mongodb or memory.', deprecationReason: 'Use backendKind, the same backend as a StorageBackendKind enum value.' }),
    textSearch: t.exposeBoolean('textSearch', { description: 'Search uses the server’s text index (else the portable word index).' }),
    serverVersion: t.exposeString('serverVersion', { nullable: true, description: 'The database server\'s version as it reports it (e.g. `7.0.12`); null for the memory backend or when the server does not say.' }),
  }),
});

builder.queryFields((t) => ({
  storage: t.field({
    type: StorageInfo,
    description: 'Which storage backend serves this registry, and what it can do.',
    resolve: (_root, _args, ctx) => ctx.storage.capabilities,
  }),
}));
