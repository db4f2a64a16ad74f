/** test/conformance/bulk-import.test.ts on the forced CAS write protocol (see ./protocol.ts). */
import './protocol.js';
import '../bulk-import.test.js';
