import { describeSandboxConformance } from './conformance.js';
import { createNoneSandbox } from './none.js';

describeSandboxConformance({
  title: 'none sandbox (no isolation: runs on the host)',
  create: (hostEnv) => createNoneSandbox({ hostEnv }),
  hostEnv: process.env,
  isolated: false,
});
