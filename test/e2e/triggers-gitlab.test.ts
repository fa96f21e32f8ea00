import { describeTriggerE2E, describeTriggerPollE2E } from './trigger-e2e.js';
import { gitlabTriggerForge } from './trigger-forges.js';

describeTriggerE2E(
  'a fake GitLab (its API checked against our transcription of its REST docs)',
  gitlabTriggerForge,
);
describeTriggerPollE2E('a fake GitLab', gitlabTriggerForge, { issueActs: true });
