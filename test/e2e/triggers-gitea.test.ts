import { describeTriggerE2E, describeTriggerPollE2E } from './trigger-e2e.js';
import { giteaTriggerForge } from './trigger-forges.js';

describeTriggerE2E('a fake Gitea (its API checked against its published swagger)', giteaTriggerForge);
describeTriggerPollE2E('a fake Gitea', giteaTriggerForge);
