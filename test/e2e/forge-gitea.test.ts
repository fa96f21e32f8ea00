import { startGiteaUnderTest } from './forge-adapters.js';
import { describeForgeE2E } from './forge-e2e.js';

describeForgeE2E('a fake Gitea (its API checked against its published description)', startGiteaUnderTest);
