/** test/conformance/validations-record.test.ts on the forced CAS write protocol (see ./protocol.ts). */
import './protocol.js';
import '../validations-record.test.js';
