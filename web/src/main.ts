import { call, token, whenUnauthorized } from './api.js';
import { h, link } from './dom.js';
import { overview } from './views/overview.js';
import { submitForm } from './views/submit-form.js';
import { taskList } from './views/task-list.js';
import { taskPage } from './views/task-page.js';

/** Hash routes: #/ (tasks), #/tasks/ID, #/submit, #/overview. Each view gets a signal ending its streams. */
const main = document.getElementById('main') as HTMLElement;
let current = new AbortController();

function route(): void {
  current.abort();
  current = new AbortController();
  const hash = location.hash || '#/';
  const task = /^#\/tasks\/([0-9a-z]{1,64})$/.exec(hash);
  let view: HTMLElement;
  if (task?.[1]) view = taskPage(task[1], current.signal);
  else if (hash === '#/submit') view = submitForm((t) => (location.hash = `#/tasks/${t.id}`));
  else if (hash === '#/overview') view = overview();
  else view = taskList(current.signal);
  main.replaceChildren(view);
}

/** Asks for a bearer token; kept in sessionStorage, never in a URL. */
function askToken(): void {
  current.abort();
  const input = h('input', { id: 'token', name: 'token', type: 'password' }) as HTMLInputElement;
  const form = h(
    'form',
    { 'aria-label': 'Sign in' },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'This autodev requires an API token.'),
    h('label', { for: 'token' }, 'API token'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    token.set(input.value.trim());
    route();
  });
  main.replaceChildren(form);
  input.focus();
}

whenUnauthorized(askToken);
document
  .getElementById('nav')
  ?.replaceChildren(
    h(
      'ul',
      {},
      h('li', {}, link('#/', 'Tasks')),
      h('li', {}, link('#/submit', 'Submit a task')),
      h('li', {}, link('#/overview', 'Overview')),
    ),
  );
window.addEventListener('hashchange', route);
// A first call tells whether a token is needed before anything is shown.
call('GET', '/health').then(route, () => (token.get() ? route() : askToken()));
