import { describeTriggerE2E, describeTriggerPollE2E } from './trigger-e2e.js';
import { githubTriggerForge } from './trigger-forges.js';

describeTriggerE2E('a fake GitHub (its API checked against its OpenAPI description)', githubTriggerForge);
describeTriggerPollE2E('a fake GitHub', githubTriggerForge);
