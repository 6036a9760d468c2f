// The simulation crashed (an exception inside the worker, the worker gone, or the model failing
// on the page's thread): say what happened, and offer to restart from the last good state, the
// scenario with every command typed so far and the cursor of the last snapshot the page drew.
// Nothing typed is lost: the console's unsent line is kept in the view store across the restart,
// and the scenario can also be downloaded as it stands.

import { useState } from 'react';
import { toDocument } from '../../scenario/document';
import { cursorNow, engine, restartFromLastGood, scenarioNow, useWorkerError, useWorkerReady } from '../engine';
import { download } from '../export';
import { fmtShort, fmtTime } from '../format';

export function CrashNotice() {
  const error = useWorkerError();
  const ready = useWorkerReady();
  const [restartError, setRestartError] = useState<string>();
  if (!error) return null;
  const e = engine();
  // Before the first snapshot there is no last good state: the scenario as it was opened.
  const scenario = scenarioNow(e);
  const cursor = cursorNow(e);
  const where = ready ? `at ${fmtTime(cursor)} (+${fmtShort(Math.max(0, cursor - e.port.piece('cursor').start))} since the script began)` : 'from the start';
  return (
    <div className="notice" role="alert" data-testid="crash-notice">
      <span>
        {error}. The scenario, with the commands typed so far, is kept: restart {where}, the last good state.
        {restartError && ` The restart failed: ${restartError}`}
      </span>
      <button type="button" onClick={() => setRestartError(restartFromLastGood())}>Restart from the last good state</button>
      <button type="button" onClick={() => download(new Blob([`${JSON.stringify(toDocument(scenario), null, 2)}\n`], { type: 'application/json' }), 'scenario.json')}>
        Download the scenario
      </button>
    </div>
  );
}
