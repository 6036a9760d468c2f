import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { FIELD_MODULES } from '../../scenario/catalog/fieldModules';
import { openScenario, scenarioNow } from '../engine';
import { useEditor } from '../editorStore';
import {
  addClass, applyBlocker, CATALOG_MODULES, CLASS_TEMPLATES, draftOf, editForm, editText, formView, removeClass, setCatalogModule, setCheckUsPerTask,
  setClassField, setCpus, setKernelFlag, setPerTaskDebug, setScript, setTop, setVersion, versionOptions, versionSummary, numberOrText, type Doc, type Draft,
} from '../scenarioEditorModel';
import { useView } from '../store';
import { modalKeyDown } from './modalKeys';
import './scenarioEditor.css';

/** The editor dialog (its own chunk, opened by ScenarioEditorButton.tsx). */
export function ScenarioEditor() {
  const stored = useEditor((e) => e.draft);
  const setDraft = useEditor((e) => e.setDraft);
  const setOpen = useEditor((e) => e.setOpen);
  const resetView = useView((v) => v.resetForScenario);
  const [applyError, setApplyError] = useState<string | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const draft = stored ?? draftOf(scenarioNow());
  // The draft this opening starts with (read by the effect below, once per opening).
  const opening = useRef(draft);

  useEffect(() => {
    // Start the draft the first time the dialog opens; later openings keep the one there is.
    if (!useEditor.getState().draft) setDraft(opening.current);
    const before = document.activeElement as HTMLElement | null;
    dialog.current?.querySelector<HTMLElement>('.se-form input:not([disabled]), .se-json textarea')?.focus();
    return () => before?.focus();
  }, [setDraft]);

  const update = (d: Draft) => {
    setApplyError(null);
    setDraft(d);
  };
  const edit = (fn: (doc: Doc) => void) => update(editForm(draft, fn));
  const close = () => setOpen(false);
  const blocker = applyBlocker(draft);
  const apply = () => {
    if (!draft.result.ok) return;
    const err = openScenario(draft.result.scenario);
    if (err) {
      setApplyError(err);
      return;
    }
    resetView();
    setDraft(null);
    setOpen(false);
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    // The page's shortcuts do not reach past the dialog.
    e.stopPropagation();
    modalKeyDown(e, dialog.current, close);
  };

  return (
    <div className="se-backdrop" onClick={close}>
      <div
        className="se-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="se-title"
        aria-describedby="se-note"
        ref={dialog}
        onKeyDown={onKey}
        onClick={(e) => e.stopPropagation()}
      >
        <header className="se-head">
          <h2 id="se-title">Scenario editor</h2>
          <p id="se-note" className="muted">The form and the JSON document edit the same draft. Apply restarts the explorer on it; the draft is kept until you apply or reset it.</p>
          <button type="button" onClick={close} aria-label="Close scenario editor" title="Close; the draft is kept (Esc)">✕</button>
        </header>
        <div className="se-body">
          <ScenarioForm draft={draft} edit={edit} />
          <JsonPane draft={draft} onText={(text) => update(editText(draft, text))} />
        </div>
        <footer className="se-foot">
          <div className="se-status">
            {applyError ? (
              <p role="alert" className="se-error">{applyError}</p>
            ) : blocker ? (
              <p id="se-blocker" className="se-error">{blocker}</p>
            ) : (
              <p className="muted" role="status">The draft is valid.</p>
            )}
          </div>
          <button type="button" onClick={() => update(draftOf(scenarioNow()))} title="Throw the draft away and start again from the scenario the page runs">Reset to current</button>
          <button type="button" onClick={close} title="Close without applying; the draft is kept">Cancel</button>
          <button type="button" className="se-apply" onClick={apply} disabled={blocker !== undefined} aria-describedby={blocker ? 'se-blocker' : undefined}>
            Apply
          </button>
        </footer>
      </div>
    </div>
  );
}

function JsonPane({ draft, onText }: { draft: Draft; onText: (text: string) => void }) {
  const errors = draft.result.ok ? [] : draft.result.errors;
  return (
    <section className="se-json" aria-labelledby="se-json-title">
      <h3 id="se-json-title">Document (JSON)</h3>
      <textarea
        aria-labelledby="se-json-title"
        aria-describedby="se-errors-title"
        aria-invalid={errors.length > 0}
        spellCheck={false}
        value={draft.text}
        onChange={(e) => onText(e.target.value)}
      />
      <div className="se-errors" aria-live="polite">
        <h4 id="se-errors-title">{errors.length === 0 ? 'No errors' : `${errors.length} error${errors.length === 1 ? '' : 's'}`}</h4>
        {errors.length > 0 && (
          <ul aria-labelledby="se-errors-title">
            {errors.map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

function ScenarioForm({ draft, edit }: { draft: Draft; edit: (fn: (doc: Doc) => void) => void }) {
  const f = formView(draft.formDoc);
  const id = useId();
  const [template, setTemplate] = useState(CLASS_TEMPLATES[0].id);
  return (
    <section className="se-form" aria-label="Scenario form">
      {draft.locked && (
        <p className="se-locked" role="status">
          The JSON has edits that do not validate yet. The form shows the last valid document and follows the JSON again once it validates.
        </p>
      )}
      <fieldset disabled={draft.locked} className="se-fields">
        <fieldset>
          <legend>Scenario</legend>
          <label className="se-wide">
            Title
            <input type="text" value={f.title} onChange={(e) => edit(setTop('title', e.target.value))} />
          </label>
          <label className="se-wide">
            Description
            <textarea rows={3} value={f.description} onChange={(e) => edit(setTop('description', e.target.value))} />
          </label>
          <label>
            Seed
            <input type="text" inputMode="numeric" value={f.seed} onChange={(e) => edit(setTop('seed', numberOrText(e.target.value)))} />
          </label>
        </fieldset>

        <fieldset>
          <legend>Kernel</legend>
          <label>
            Kernel version
            <select value={f.version} onChange={(e) => edit(setVersion(e.target.value))} aria-describedby={`${id}-version`}>
              {versionOptions(f.version).map((v) => (
                <option key={v} value={v}>{v === '6.19' ? '6.19 and later' : v}</option>
              ))}
            </select>
          </label>
          <label>
            CPU count
            <input type="text" inputMode="numeric" value={f.cpus} onChange={(e) => edit(setCpus(e.target.value))} />
          </label>
          <label>
            Walk cost per task (µs)
            <input type="text" inputMode="decimal" value={f.checkUsPerTask} onChange={(e) => edit(setCheckUsPerTask(e.target.value))} title="Virtual µs one klp_try_switch_task() check of a pending thread costs, inside the tasklist_lock read section" />
          </label>
          <p id={`${id}-version`} className="se-hint se-wide">{versionSummary(f.version)}</p>
          <label className="se-check">
            <input type="checkbox" checked={f.reliableStacktrace} onChange={(e) => edit(setKernelFlag('reliableStacktrace', e.target.checked))} />
            Reliable stack traces
          </label>
          <label className="se-check">
            <input type="checkbox" checked={f.ftraceEnabled} onChange={(e) => edit(setKernelFlag('ftraceEnabled', e.target.checked))} />
            <code>ftrace_enabled</code>
          </label>
          <label className="se-check" title="Adds or removes `func klp_try_switch_task +p` in the dynamic debug lines">
            <input type="checkbox" checked={f.perTaskDebug} onChange={(e) => edit(setPerTaskDebug(e.target.checked))} />
            Per-task debug lines
          </label>
        </fieldset>

        <fieldset>
          <legend>Modules</legend>
          <div className="se-modules">
            {CATALOG_MODULES.map((m) => (
              <label key={m} className="se-check">
                <input type="checkbox" checked={f.catalogModules.includes(m)} onChange={(e) => edit(setCatalogModule(m, e.target.checked))} />
                <code>{m}</code>
              </label>
            ))}
          </div>
          {f.customModules.length > 0 && (
            <p className="se-hint se-wide">
              Defined in this document (edit them in the JSON):{' '}
              {f.customModules.map((m, i) => (
                <span key={m.name + i}>
                  {i > 0 && ', '}
                  <code>{m.name}</code> {m.livepatch ? '(livepatch)' : '(module)'}
                </span>
              ))}
            </p>
          )}
          <p className="se-hint se-wide">
            The selftest helpers (<code>load_lp</code>, <code>load_mod</code>) find every selftest module; a listed one is also found
            by <code>insmod NAME.ko</code>. Always there for <code>insmod</code>: {FIELD_MODULES.map((m) => m.name).join(', ')}.
          </p>
        </fieldset>

        <fieldset>
          <legend>Task classes</legend>
          {f.classes.length === 0 ? (
            <p className="se-hint se-wide">No task classes: only the kernel's own tasks and the modules' kthreads and work run.</p>
          ) : (
            <table className="se-classes se-wide">
              <caption className="sr-only">Task classes</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">comm</th>
                  <th scope="col">Count</th>
                  <th scope="col">Kind</th>
                  <th scope="col"><span className="sr-only">Remove</span></th>
                </tr>
              </thead>
              <tbody>
                {f.classes.map((c, i) => (
                  <tr key={i}>
                    <td><input type="text" aria-label={`Name of class ${i + 1}`} value={c.name} onChange={(e) => edit(setClassField(i, 'name', e.target.value))} /></td>
                    <td><input type="text" aria-label={`comm of class ${i + 1}`} className="mono" value={c.comm} onChange={(e) => edit(setClassField(i, 'comm', e.target.value))} /></td>
                    <td><input type="text" inputMode="numeric" aria-label={`Count of class ${i + 1}`} className="se-count" value={c.count} onChange={(e) => edit(setClassField(i, 'count', e.target.value))} /></td>
                    <td>
                      <select aria-label={`Kind of class ${i + 1}`} value={c.kind} onChange={(e) => edit(setClassField(i, 'kind', e.target.value))}>
                        <option value="user">user</option>
                        <option value="kthread">kthread</option>
                      </select>
                    </td>
                    <td><button type="button" aria-label={`Remove class ${i + 1} (${c.name})`} title="Remove this class" onClick={() => edit(removeClass(i))}>✕</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="se-add se-wide">
            <label>
              Template
              <select value={template} onChange={(e) => setTemplate(e.target.value)}>
                {CLASS_TEMPLATES.map((t) => (
                  <option key={t.id} value={t.id}>{t.label}</option>
                ))}
              </select>
            </label>
            <button type="button" onClick={() => edit(addClass(template))}>Add class</button>
            <span className="se-total" role="status">
              {f.totalTasks.toLocaleString('en-US')} task{f.totalTasks === 1 ? '' : 's'} in all{f.fixedTasks > 0 ? ` (${f.fixedTasks} fixed)` : ''}
            </span>
          </div>
        </fieldset>

        <fieldset>
          <legend>Script</legend>
          <label className="se-wide">
            Script lines (one per row)
            <textarea className="mono" rows={8} spellCheck={false} value={f.script} onChange={(e) => edit(setScript(e.target.value))} />
          </label>
        </fieldset>
      </fieldset>
    </section>
  );
}
