/** test/conformance/lifecycle-deprecate-retire.test.ts on the forced CAS write protocol (see ./protocol.ts). */
import './protocol.js';
import '../lifecycle-deprecate-retire.test.js';
