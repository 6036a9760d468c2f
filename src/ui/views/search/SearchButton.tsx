import { lazy, Suspense, useState } from 'react';

// The dialog, its search worker client and the search's options load when first opened, not
// with the page (bundle_gzip_kb).
const SearchDialog = lazy(() => import('./SearchDialog').then((m) => ({ default: m.SearchDialog })));

/** Toolbar button for the search of every interleaving of the scenario's script (SearchDialog.tsx). */
export function SearchButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} title="Search every interleaving of the script for the shortest run to a consistency break (sim --search)">
        Search…
      </button>
      {open && (
        <Suspense fallback={null}>
          <SearchDialog close={() => setOpen(false)} />
        </Suspense>
      )}
    </>
  );
}
