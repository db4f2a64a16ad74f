/** test/conformance/odcs-id.test.ts on the forced CAS write protocol (see ./protocol.ts). */
import './protocol.js';
import '../odcs-id.test.js';
