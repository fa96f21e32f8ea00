import { startGitlabUnderTest } from './forge-adapters.js';
import { describeForgeE2E } from './forge-e2e.js';

describeForgeE2E('a fake GitLab (its API checked against its published description)', startGitlabUnderTest);
