import type { Gitlab } from '@gitbeaker/rest';
import { z } from 'zod';
import {
  gitlabLabelEvent,
  gitlabPolledIssue,
  gitlabPolledMergeRequest,
  gitlabPolledNote,
  type GitlabPolledNote,
  type GitlabPollSource,
} from './gitlab-poll.js';

/** GitLab's largest page. */
const PER_PAGE = 100;
/** A thread's notes read per poll at most, newest first: a longer thread's older notes are history. */
const MAX_NOTE_PAGES = 10;
/** Label events read per issue at most (a label added and removed hundreds of times is no trigger). */
const MAX_LABEL_EVENT_PAGES = 5;

const projectInfo = z.object({
  path_with_namespace: z.string().regex(/^[\w.-]+(\/[\w.-]+)+$/),
  http_url_to_repo: z.string().url(),
  default_branch: z.string().min(1).max(255),
});

type GitlabApi = InstanceType<typeof Gitlab<false>>;
type Settings = Pick<GitlabPollSource, 'label' | 'command' | 'bot'>;

/** The reads of one GitLab project a trigger poll makes, through gitbeaker, every answer checked. */
export function createGitlabPollSource(
  api: GitlabApi,
  projectId: string,
  settings: Settings,
): GitlabPollSource {
  const page = { orderBy: 'updated_at', page: 1, maxPages: 1 } as const;
  const issues = async (options: { updatedAfter?: string; sort: 'asc' | 'desc'; perPage: number }) =>
    gitlabPolledIssue.array().parse(await api.Issues.all({ projectId, ...page, ...options }));
  const mergeRequests = async (options: { updatedAfter?: string; sort: 'asc' | 'desc'; perPage: number }) =>
    gitlabPolledMergeRequest.array().parse(await api.MergeRequests.all({ projectId, ...page, ...options }));

  /** Newest first, page by page, until a page reaches back before the cursor. */
  const notesSince = async (
    list: (pageNumber: number) => Promise<unknown>,
    sinceMs: number,
  ): Promise<GitlabPolledNote[]> => {
    const found: GitlabPolledNote[] = [];
    for (let pageNumber = 1; pageNumber <= MAX_NOTE_PAGES; pageNumber += 1) {
      const notes = gitlabPolledNote.array().parse(await list(pageNumber));
      const fresh = notes.filter((n) => (Date.parse(n.created_at) || 0) >= sinceMs);
      found.push(...fresh);
      if (notes.length < PER_PAGE || fresh.length < notes.length) break;
    }
    return found;
  };
  const notePage = (pageNumber: number) =>
    ({ sort: 'desc', orderBy: 'created_at', page: pageNumber, perPage: PER_PAGE, maxPages: 1 }) as const;

  return {
    ...settings,
    pageSize: PER_PAGE,
    async newestUpdate() {
      const [issue] = await issues({ sort: 'desc', perPage: 1 });
      const [mr] = await mergeRequests({ sort: 'desc', perPage: 1 });
      const stamps = [issue?.updated_at, mr?.updated_at].filter((s): s is string => s !== undefined);
      return stamps.sort((a, b) => Date.parse(b) - Date.parse(a))[0];
    },
    // Oldest update first, one page: the cursor moves to its newest and the next poll goes on.
    issuesSince: (since) => issues({ updatedAfter: since, sort: 'asc', perPage: PER_PAGE }),
    mergeRequestsSince: (since) => mergeRequests({ updatedAfter: since, sort: 'asc', perPage: PER_PAGE }),
    notesSince: (iid, sinceMs) => notesSince((n) => api.IssueNotes.all(projectId, iid, notePage(n)), sinceMs),
    mergeRequestNotesSince: (iid, sinceMs) =>
      notesSince((n) => api.MergeRequestNotes.all(projectId, iid, notePage(n)), sinceMs),
    labelEvents: async (iid) =>
      gitlabLabelEvent.array().parse(
        await api.IssueLabelEvents.all(projectId, iid, {
          perPage: PER_PAGE,
          maxPages: MAX_LABEL_EVENT_PAGES,
        }),
      ),
    async project() {
      const info = projectInfo.parse(await api.Projects.show(projectId));
      return { repo: info.http_url_to_repo, baseBranch: info.default_branch, path: info.path_with_namespace };
    },
  };
}
