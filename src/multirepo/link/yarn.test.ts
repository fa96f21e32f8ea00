import { jsLinkSuite } from '../../../test/helpers/js-link-suite.js';

// The dependency and resolutions are rewritten in the copy's package.json (never the checkout's).
jsLinkSuite('yarn', { manifestsInCopy: 'changed' });
