/** Assembles the schema: each import registers its types on the builder. */
import { builder } from './builder.js';
import { describeGenerated } from './generated-descriptions.js';
import './scalars.js';
import './errors.js';
import './contracts.js';
import './lifecycle.js';
import './approvals.js';
import './catalog.js';
import './search.js';
import './evolution.js';
import './odcs-identity.js';
import './runs.js';
import './validations.js';
import './issues.js';
import './comments.js';
import './system.js';
import './events.js';
import './subscriptions.js';

import './viewer.js';

// Every root field needs a scope: reads need `read`, writes `write` (some fields ask for more, e.g. `admin`).
builder.queryType({
  description: 'Reads. Every field needs a role that may read (viewer, editor, approver, admin; anonymous callers when anonymous read is on), except `viewer`.',
  authScopes: { read: true },
});
builder.mutationType({
  description:
    'Writes. Every field needs the editor or admin role unless it says otherwise (approve and reject: approver or admin; admin-only fields say so). Expected failures come back as the field\'s Error types, never half-written.',
  authScopes: { write: true },
});

export const schema = builder.toSchema({ sortSchema: false });
describeGenerated(schema);
