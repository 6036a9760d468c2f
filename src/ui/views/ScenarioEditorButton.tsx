import { lazy, Suspense } from 'react';
import { useEditor } from '../editorStore';

// The editor, its form model and the field-module catalogue load when first opened, not with
// the page (bundle_gzip_kb).
const ScenarioEditor = lazy(() => import('./ScenarioEditor').then((m) => ({ default: m.ScenarioEditor })));

/** The header's "Edit scenario…" button and the dialog it opens (ScenarioEditor.tsx). */
export function ScenarioEditorButton() {
  const open = useEditor((e) => e.open);
  const setOpen = useEditor((e) => e.setOpen);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} title="Edit the scenario as a form or as JSON, then apply it" aria-haspopup="dialog">
        Edit scenario…
      </button>
      {open && (
        <Suspense fallback={null}>
          <ScenarioEditor />
        </Suspense>
      )}
    </>
  );
}
