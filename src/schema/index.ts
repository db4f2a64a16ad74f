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

import './viewer.js';

// Every root field needs a scope: reads need `read`, writes `write` (some fields ask for more, e.g. `admin`).
builder.queryType({ authScopes: { read: true } });
builder.mutationType({ authScopes: { write: true } });

export const schema = builder.toSchema({ sortSchema: false });
describeGenerated(schema);
