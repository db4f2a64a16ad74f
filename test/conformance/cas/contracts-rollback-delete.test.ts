/** test/conformance/contracts-rollback-delete.test.ts on the forced CAS write protocol (see ./protocol.ts). */
import './protocol.js';
import '../contracts-rollback-delete.test.js';
