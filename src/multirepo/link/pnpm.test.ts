import { jsLinkSuite } from '../../../test/helpers/js-link-suite.js';

// pnpm.overrides are written into the copy's package.json (never the checkout's).
jsLinkSuite('pnpm', { manifestsInCopy: 'changed' });
