/** test/conformance/approvals-decide.test.ts on the forced CAS write protocol (see ./protocol.ts). */
import './protocol.js';
import '../approvals-decide.test.js';
