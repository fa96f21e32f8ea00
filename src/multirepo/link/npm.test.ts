import { jsLinkSuite } from '../../../test/helpers/js-link-suite.js';

// --no-save: even the copy's package.json and package-lock.json stay as committed.
jsLinkSuite('npm', { manifestsInCopy: 'unchanged' });
