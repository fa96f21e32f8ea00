import { describe, expect, it } from 'vitest';
import { cronProblem, dueRepos, type ScheduledRepo } from './schedule.js';

const weekly: ScheduledRepo = { repo: '/srv/git/a', base_branch: 'main', schedule: '0 6 * * 1' };
const hourly: ScheduledRepo = { repo: '/srv/git/b', base_branch: 'main', schedule: '0 * * * *' };

describe('scheduled dependency scans', () => {
  it('a repository is due when its last schedule time passed after its last scan, once', async () => {
    // Wednesday 2026-12-02 10:30 UTC: the weekly time was Monday 06:00, the hourly 10:00.
    const now = new Date('2026-12-02T10:30:00Z');
    const last: Record<string, string | undefined> = {
      '/srv/git/a': '2026-11-30T07:00:00Z', // after Monday 06:00: done
      '/srv/git/b': '2026-12-02T09:59:00Z', // before 10:00: missed (autodev was down), due now
    };
    const lastScanAt = (repo: ScheduledRepo) => Promise.resolve(last[repo.repo]);
    expect((await dueRepos([weekly, hourly], lastScanAt, now)).map((r) => r.repo)).toEqual(['/srv/git/b']);
    // The scan ran: the same moment again (a restart) finds nothing due.
    last['/srv/git/b'] = '2026-12-02T10:30:05Z';
    expect(await dueRepos([weekly, hourly], lastScanAt, new Date('2026-12-02T10:31:00Z'))).toEqual([]);
    // Never scanned: due at once.
    expect(await dueRepos([weekly], () => Promise.resolve(undefined), now)).toEqual([weekly]);
  });

  it('a wrong cron expression is refused naming what is expected', () => {
    expect(cronProblem('0 6 * * 1')).toBeUndefined();
    expect(cronProblem('61 * * * *')).toMatch(/^expected a cron expression such as "0 6 \* \* 1"/);
  });
});
