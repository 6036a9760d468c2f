// One requestAnimationFrame owner for a view (Perfetto's raf scheduler in miniature): any
// number of change notifications between two frames cost one frame, and the frame callback
// decides what actually needs redrawing.

export class FrameScheduler {
  private id = 0;

  constructor(
    private readonly frame: () => void,
    private readonly raf: (cb: FrameRequestCallback) => number = (cb) => requestAnimationFrame(cb),
    private readonly cancel: (id: number) => void = (id) => cancelAnimationFrame(id),
  ) {}

  request(): void {
    if (this.id) return;
    this.id = this.raf(() => {
      this.id = 0;
      this.frame();
    });
  }

  stop(): void {
    if (this.id) this.cancel(this.id);
    this.id = 0;
  }
}
