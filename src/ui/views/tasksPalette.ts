// The Tasks view's colours: the theme's CSS variables resolved to packed RGBA words for the
// ImageData buffer, one lookup table per cell code. The legend lists the same variables, so
// canvas, legend and tooltips cannot disagree.

import { CODE_COUNT, FILL_NAMES, MARK_NAMES, fillOfCode, markOfCode, strayOfCode } from '../../engine/select/taskCells';

/** CSS variable of each fill (Fill order). */
export const FILL_VARS = ['--idle', '--patched', '--unpatched', '--pending'] as const;
/** CSS variable of each mark (Mark order; NONE has none). */
export const MARK_VARS = ['', '--mark-running', '--mark-unreliable', '--mark-sleeping', '--mark-d', '--mark-exiting'] as const;

export const FILL_HELP = [
  'patch_state -1: no transition in progress; the task runs the current patch stack',
  'patch_state 1: switched to the patched code',
  'patch_state 0: runs the code as it was before the patch',
  'TIF_PATCH_PENDING: must still switch to the target state',
] as const;
export const MARK_HELP = [
  '',
  'on a CPU: its stack cannot be checked (-EBUSY)',
  'the unwinder cannot vouch for its stack (-EINVAL)',
  'sleeping with a function the transition changes on its stack (-EADDRINUSE)',
  'in D state with a patched function on its stack: fake signals cannot wake it',
  'exited and unhashed: the walk no longer sees it, yet it may run old code',
] as const;
export const MARK_SHAPES = ['', 'centre dot', 'diagonal hatching', 'inner square', 'hatched inner square', 'outline'] as const;
/** The outline of a task running a never-shipped universe (the consistency analysis). */
export const STRAY_VAR = '--err';
export const STRAY_NAME = 'never-shipped universe';
export const STRAY_HELP = 'runs a combination of function versions the system never shipped together (see Consistency); drawn as a red frame, or a red pixel when zoomed out';

export { FILL_NAMES, MARK_NAMES };

/** '#rgb', '#rrggbb', 'rgb(r, g, b)' or 'rgba(r, g, b, a)' as a little-endian RGBA word (alpha forced opaque). */
export function packColor(css: string): number {
  const s = css.trim();
  let r = 0;
  let g = 0;
  let b = 0;
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(s);
  if (hex) {
    const h = hex[1].length === 3 ? hex[1].replace(/./g, (c) => c + c) : hex[1];
    r = parseInt(h.slice(0, 2), 16);
    g = parseInt(h.slice(2, 4), 16);
    b = parseInt(h.slice(4, 6), 16);
  } else {
    const m = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/i.exec(s);
    if (!m) throw new Error(`not a colour the Tasks view can draw: '${css}'`);
    r = +m[1];
    g = +m[2];
    b = +m[3];
  }
  return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

export interface TasksPalette {
  bg: number;
  fill: Uint32Array;
  mark: Uint32Array;
  /** The frame of a cell whose task runs a never-shipped universe. */
  stray: number;
  /** Colour of a pixel showing the aggregate of several cells, by cell code (0 = background). */
  byCode: Uint32Array;
  text: string;
  muted: string;
  accent: string;
  hover: string;
}

/** Build the palette from CSS colour strings keyed by variable name. */
export function makePalette(color: (cssVar: string) => string): TasksPalette {
  const fill = Uint32Array.from(FILL_VARS, (v) => packColor(color(v)));
  const mark = Uint32Array.from(MARK_VARS, (v) => (v ? packColor(color(v)) : 0));
  const bg = packColor(color('--panel'));
  const stray = packColor(color(STRAY_VAR));
  const byCode = new Uint32Array(CODE_COUNT);
  byCode[0] = bg;
  for (let c = 1; c < CODE_COUNT; c++) {
    const m = markOfCode(c);
    byCode[c] = m ? mark[m] : strayOfCode(c) ? stray : fill[fillOfCode(c)];
  }
  return { bg, fill, mark, stray, byCode, text: color('--fg'), muted: color('--muted'), accent: color('--accent'), hover: color('--fg') };
}
