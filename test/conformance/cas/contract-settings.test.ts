/** test/conformance/contract-settings.test.ts on the forced CAS write protocol (see ./protocol.ts). */
import './protocol.js';
import '../contract-settings.test.js';
