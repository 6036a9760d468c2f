// Exports: a PNG of any view (its canvas as it is, its SVG drawn onto a canvas, or for DOM
// views its text lines drawn in the theme's colours), the SVG of an SVG view with the computed
// styles inlined (so it renders outside the page, where the theme variables do not exist),
// and the transcript (dmesg) as text. Everything downloads through a blob URL. Every export
// names the kernel policy it was taken under (issue 8 §1), with the "proposal, not merged"
// mark for the proposals: a header line in the transcript, a caption band in a PNG, a caption
// text in an SVG.

const SCALE = 2;
const PAD = 12;
const LINE = 16;
/** Computed style properties that an exported SVG needs to look as it does on the page. */
const SVG_STYLE_PROPS = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-opacity', 'opacity', 'font-family', 'font-size', 'font-weight', 'text-anchor', 'dominant-baseline', 'visibility'] as const;

/** A file name for an export of `view` taken at virtual time `us`. */
export function exportFileName(view: string, us: number, ext: string): string {
  return `livepatch-${view}-${(us / 1e6).toFixed(6).replace('.', '_')}s.${ext}`;
}

/** The policy a run was taken under, as the exports name it. */
interface PolicyMark {
  name: string;
  proposal: boolean;
}

/** "policy: <name>", with " (proposal, not merged)" for a proposal. */
export function policyCaption(p: PolicyMark): string {
  return `policy: ${p.name}${p.proposal ? ' (proposal, not merged)' : ''}`;
}

/** The transcript file's text: a "# policy: ..." header, then one dmesg line per line, ending with a newline. */
export function transcriptText(lines: readonly string[], policy: PolicyMark): string {
  return [`# ${policyCaption(policy)}`, ...lines].join('\n') + '\n';
}

/** The text lines a DOM view shows, blank lines dropped, trailing spaces trimmed. */
export function visibleLines(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\s+$/, '')).filter((l) => l.length > 0);
}

export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** The body of the panel showing `view` (Panel's data-view). */
function viewBody(view: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`section[data-view="${view}"] .panel-body`);
}

/** The biggest element of `list` covering at least a quarter of `body` (icons do not count). */
function largest<T extends Element>(body: HTMLElement, list: NodeListOf<T>): T | undefined {
  const b = body.getBoundingClientRect();
  let best: T | undefined;
  let area = (b.width * b.height) / 4;
  for (const el of list) {
    const r = el.getBoundingClientRect();
    if (r.width * r.height > area) {
      area = r.width * r.height;
      best = el;
    }
  }
  return best;
}

/** Height (CSS px) of the caption naming the policy above an exported image. */
const CAPTION = 20;

/** The view's main SVG, with computed styles inlined, as standalone markup, under a caption naming the policy. */
function serializeSvg(svg: SVGSVGElement, policy: PolicyMark): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src = [svg, ...svg.querySelectorAll('*')];
  const dst = [clone, ...clone.querySelectorAll('*')];
  src.forEach((el, i) => {
    const cs = getComputedStyle(el);
    const style = SVG_STYLE_PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(';');
    (dst[i] as SVGElement).setAttribute('style', style);
  });
  const r = svg.getBoundingClientRect();
  const w = Math.ceil(r.width);
  const h = Math.ceil(r.height);
  clone.setAttribute('width', String(w));
  clone.setAttribute('height', String(h));
  clone.setAttribute('y', String(CAPTION));
  const NS = 'http://www.w3.org/2000/svg';
  const outer = document.createElementNS(NS, 'svg');
  outer.setAttribute('xmlns', NS);
  outer.setAttribute('width', String(w));
  outer.setAttribute('height', String(h + CAPTION));
  const t = theme();
  const caption = document.createElementNS(NS, 'text');
  caption.setAttribute('x', '4');
  caption.setAttribute('y', String(CAPTION - 6));
  caption.setAttribute('style', `fill:${t.fg};font-family:${t.font};font-size:12px`);
  caption.setAttribute('data-policy', policy.name);
  caption.textContent = policyCaption(policy);
  outer.append(caption, clone);
  return new XMLSerializer().serializeToString(outer);
}

function theme(): { bg: string; fg: string; font: string } {
  const cs = getComputedStyle(document.documentElement);
  return { bg: cs.getPropertyValue('--panel').trim() || '#fff', fg: cs.getPropertyValue('--fg').trim() || '#000', font: cs.getPropertyValue('--mono').trim() || 'monospace' };
}

function canvasBlob(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas could not be encoded as PNG'))), 'image/png'));
}

async function svgToPng(svg: SVGSVGElement, policy: PolicyMark): Promise<Blob> {
  const markup = serializeSvg(svg, policy);
  const b = svg.getBoundingClientRect();
  const r = { width: Math.ceil(b.width), height: Math.ceil(b.height) + CAPTION };
  const img = new Image();
  const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml' }));
  try {
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the SVG could not be drawn'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(r.width * SCALE);
    canvas.height = Math.ceil(r.height * SCALE);
    const g = canvas.getContext('2d');
    if (!g) throw new Error('no 2D canvas context');
    g.fillStyle = theme().bg;
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await canvasBlob(canvas);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A DOM view as its text lines on a canvas, in the theme's colours and monospace font. */
function linesToPng(title: string, lines: string[]): Promise<Blob> {
  const t = theme();
  const canvas = document.createElement('canvas');
  const g0 = canvas.getContext('2d');
  if (!g0) throw new Error('no 2D canvas context');
  const font = `12px ${t.font}`;
  g0.font = font;
  const all = [title, '', ...lines];
  const width = Math.max(200, ...all.map((l) => g0.measureText(l).width)) + 2 * PAD;
  canvas.width = Math.ceil(width * SCALE);
  canvas.height = Math.ceil((all.length * LINE + 2 * PAD) * SCALE);
  const g = canvas.getContext('2d') as CanvasRenderingContext2D;
  g.scale(SCALE, SCALE);
  g.fillStyle = t.bg;
  g.fillRect(0, 0, width, all.length * LINE + 2 * PAD);
  g.fillStyle = t.fg;
  g.textBaseline = 'top';
  all.forEach((l, i) => {
    g.font = i === 0 ? `bold 13px ${t.font}` : font;
    g.fillText(l, PAD, PAD + i * LINE);
  });
  return canvasBlob(canvas);
}

/** A view's canvas under a caption band naming the policy, at the canvas's own pixel scale. */
function captionedCanvas(src: HTMLCanvasElement, policy: PolicyMark): Promise<Blob> {
  const t = theme();
  const scale = src.clientWidth > 0 ? src.width / src.clientWidth : 1;
  const band = Math.ceil(CAPTION * scale);
  const canvas = document.createElement('canvas');
  canvas.width = src.width;
  canvas.height = src.height + band;
  const g = canvas.getContext('2d');
  if (!g) throw new Error('no 2D canvas context');
  g.fillStyle = t.bg;
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = t.fg;
  g.textBaseline = 'middle';
  g.font = `${Math.round(12 * scale)}px ${t.font}`;
  g.fillText(policyCaption(policy), 4 * scale, band / 2);
  g.drawImage(src, 0, band);
  return canvasBlob(canvas);
}

/** PNG of a view: its canvas, else its SVG, else its text; each names the policy. */
export async function exportPng(view: string, title: string, now: number, policy: PolicyMark): Promise<void> {
  const body = viewBody(view);
  if (!body) throw new Error(`no view named ${view} on the page`);
  const canvas = largest(body, body.querySelectorAll('canvas'));
  const svg = largest(body, body.querySelectorAll('svg'));
  const blob = canvas ? await captionedCanvas(canvas, policy) : svg ? await svgToPng(svg, policy) : await linesToPng(`${title} · ${policyCaption(policy)}`, visibleLines(body.innerText));
  download(blob, exportFileName(view, now, 'png'));
}

/** SVG of an SVG view, captioned with the policy. */
export function exportSvg(view: string, now: number, policy: PolicyMark): void {
  const body = viewBody(view);
  const svg = body ? largest(body, body.querySelectorAll('svg')) : undefined;
  if (!svg) throw new Error(`the ${view} view shows no SVG`);
  download(new Blob([serializeSvg(svg, policy)], { type: 'image/svg+xml' }), exportFileName(view, now, 'svg'));
}

export function exportTranscript(lines: readonly string[], now: number, policy: PolicyMark): void {
  download(new Blob([transcriptText(lines, policy)], { type: 'text/plain' }), exportFileName('dmesg', now, 'txt'));
}
