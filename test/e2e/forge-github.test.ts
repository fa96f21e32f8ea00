import { startGithubUnderTest } from './forge-adapters.js';
import { describeForgeE2E } from './forge-e2e.js';

describeForgeE2E('a fake GitHub (its API checked against its published description)', startGithubUnderTest);
