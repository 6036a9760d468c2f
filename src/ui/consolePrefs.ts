// What a typed line does to script lines still ahead of the cursor (issue 10): by default
// they are dropped (the timeline forks, with a notice); the user may choose to keep them,
// and the choice is remembered in this browser. Read by every line typed into the console,
// by a person or by a button (actions/typeLine.ts).

const KEEP_SCRIPT_KEY = 'livepatch-explorer.console.keepScript';

export function readKeepScript(): boolean {
  try {
    return localStorage.getItem(KEEP_SCRIPT_KEY) === '1';
  } catch {
    return false;
  }
}

export function writeKeepScript(keep: boolean): void {
  try {
    localStorage.setItem(KEEP_SCRIPT_KEY, keep ? '1' : '0');
  } catch {
    // Storage disabled: the choice holds for this page only.
  }
}
