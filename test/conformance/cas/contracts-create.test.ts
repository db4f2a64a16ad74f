/** test/conformance/contracts-create.test.ts on the forced CAS write protocol (see ./protocol.ts). */
import './protocol.js';
import '../contracts-create.test.js';
