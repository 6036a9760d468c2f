// A line typed into the console, by a person (Enter) or by a button (a UI action): it runs
// through the engine as a script line, joins the console's history, and leaves a note when it
// was rejected or forked the timeline. One path, so a button's line is exactly a typed one.

import { consoleCommand } from '../engine';
import { fmtShort } from '../format';
import { useView } from '../store';
import type { CommandOutcome } from '../../engine/host';
import { readKeepScript } from '../consolePrefs';

/** Run `text` as if typed; `done(ok)` is told whether it joined the script. */
export function typeLine(text: string, done?: (ok: boolean) => void): void {
  const line = text.trim();
  if (!line) return;
  const finish = (r: CommandOutcome) => {
    const enter = useView.getState().enterConsole;
    const { time } = r;
    if (!r.ok) {
      enter(line, { time, after: r.after, text: line, kind: 'rejected', message: r.error });
      done?.(false);
      return;
    }
    const f = r.fork;
    enter(line, f ? { time, after: r.index, text: line, kind: 'forked', message: `Timeline forked at +${fmtShort(time - f.start)}: ${f.dropped} later command${f.dropped === 1 ? '' : 's'} dropped` } : undefined);
    done?.(true);
  };
  void consoleCommand(line, { ahead: readKeepScript() ? 'keep' : 'fork' }).then(finish);
}

/** The context UI actions run in: they type into the console. */
export const TYPE_INTO_CONSOLE = { type: (line: string) => typeLine(line) };
