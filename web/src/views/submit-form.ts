import { ApiError, call } from '../api.js';
import { h } from '../dom.js';
import type { Task } from '../types.js';

const FIELDS = [
  { name: 'title', label: 'Title', kind: 'input' },
  { name: 'description', label: 'Description', kind: 'textarea' },
  { name: 'repo', label: 'Repository', kind: 'input' },
  { name: 'base_branch', label: 'Base branch', kind: 'input' },
  { name: 'risk_tier', label: 'Risk tier', kind: 'select' },
  { name: 'constraints', label: 'Constraints', kind: 'textarea' },
  { name: 'acceptance', label: 'Acceptance', kind: 'textarea' },
] as const;

/** The submit form: each API validation problem is shown beside the field it names. */
export function submitForm(onCreated: (task: Task) => void): HTMLElement {
  const form = h('form', { 'aria-label': 'Submit a task' }, h('h1', {}, 'Submit a task')) as HTMLFormElement;
  const errors = new Map<string, HTMLElement>();
  const controls = new Map<string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>();
  for (const field of FIELDS) {
    const id = `f-${field.name}`;
    const errorEl = h('span', { id: `${id}-error`, class: 'field-error', 'data-field': field.name });
    let control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
    if (field.kind === 'select') {
      control = h(
        'select',
        { id, name: field.name },
        h('option', { value: '' }, 'server default'),
        h('option', { value: 'low' }, 'low'),
        h('option', { value: 'medium' }, 'medium'),
        h('option', { value: 'high' }, 'high'),
      ) as HTMLSelectElement;
    } else {
      control = h(field.kind, {
        id,
        name: field.name,
        rows: field.kind === 'textarea' ? 3 : undefined,
        placeholder: field.name === 'base_branch' ? 'main' : undefined,
      }) as HTMLInputElement;
    }
    control.setAttribute('aria-describedby', errorEl.id);
    if (field.name === 'constraints' || field.name === 'acceptance') {
      control.setAttribute('placeholder', 'one per line');
    }
    controls.set(field.name, control);
    errors.set(field.name, errorEl);
    form.append(h('div', { class: 'field' }, h('label', { for: id }, field.label), control, errorEl));
  }
  const status = h('p', { role: 'status', class: 'form-status' });
  form.append(h('button', { type: 'submit' }, 'Submit'), status);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const [name, el] of errors) {
      el.textContent = '';
      controls.get(name)?.removeAttribute('aria-invalid');
    }
    status.textContent = 'Submitting…';
    const value = (name: string) => controls.get(name)?.value ?? '';
    const lines = (name: string) =>
      value(name)
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.length > 0);
    const body: Record<string, unknown> = {
      title: value('title'),
      description: value('description'),
      repo: value('repo'),
      constraints: lines('constraints'),
      acceptance: lines('acceptance'),
    };
    if (value('base_branch')) body.base_branch = value('base_branch');
    if (value('risk_tier')) body.risk_tier = value('risk_tier');
    call<Task>('POST', '/tasks', body).then(
      (task) => {
        status.textContent = `Submitted ${task.id}`;
        onCreated(task);
      },
      (error: unknown) => {
        status.textContent = error instanceof Error ? error.message : String(error);
        if (!(error instanceof ApiError) || !Array.isArray(error.details)) return;
        for (const problem of error.details as { field?: string; message?: string }[]) {
          // "body.title" or "body.constraints.0": the field is the first key after body.
          const name = (problem.field ?? '').replace(/^body\./, '').split('.')[0] ?? '';
          const el = errors.get(name);
          if (!el) continue;
          el.textContent = problem.message ?? 'invalid';
          controls.get(name)?.setAttribute('aria-invalid', 'true');
        }
      },
    );
  });
  return form;
}
