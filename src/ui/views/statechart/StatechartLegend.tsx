/** What the chart's marks mean. */
export function StatechartLegend() {
  return (
    <ul className="sc-legend" aria-label="Statechart legend">
      <li title="A state the klp core machine is in now (every active region of the parallel machine is lit)">
        <span className="sc-key sc-key-active" aria-hidden="true" /> active state
      </li>
      <li title="The transitions of each region's last step, drawn in orange">
        <span className="sc-key sc-key-last" aria-hidden="true" /> last transition
      </li>
      <li title="Regions of a parallel state run at the same time; each has its own active state">
        <span className="sc-key sc-key-region" aria-hidden="true" /> parallel region
      </li>
      <li title="The state a region starts in">
        <span className="sc-key sc-key-initial" aria-hidden="true" /> initial
      </li>
      <li title="Edge labels read: event [guard] / actions; lines inside a state handle an event without leaving it">
        <code>event [guard] / actions</code>
      </li>
    </ul>
  );
}
