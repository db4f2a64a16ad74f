/** test/conformance/contracts-update.test.ts on the forced CAS write protocol (see ./protocol.ts). */
import './protocol.js';
import '../contracts-update.test.js';
