// Toolbar icons as inline SVG (emoji media symbols are missing from many system fonts).

const paths = {
  play: 'M4 2 L14 8 L4 14 Z',
  pause: 'M3 2 H7 V14 H3 Z M9 2 H13 V14 H9 Z',
  stepForward: 'M2 2 L10 8 L2 14 Z M11 2 H14 V14 H11 Z',
  stepBack: 'M14 2 L6 8 L14 14 Z M2 2 H5 V14 H2 Z',
  next: 'M1 2 L8 8 L1 14 Z M8 2 L15 8 L8 14 Z',
} as const;

type IconName = keyof typeof paths;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg className="icon" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d={paths[name]} fill="currentColor" />
    </svg>
  );
}
