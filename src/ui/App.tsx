import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { download } from './export';
import { pageFrames } from './frameScheduler';
import { Controls } from './views/Controls';
import { ConsoleView } from './views/ConsoleView';
import { ExportButtons, ExportCaseButton, ExportTranscriptButton } from './views/ExportButtons';
import { FuncStacksView } from './views/FuncStacksView';
import { HelpOverlay } from './views/HelpOverlay';
import { InspectorLegend, InspectorView } from './views/InspectorView';
import { KernelLogView, LogLegend } from './views/KernelLogView';
import { Panel } from './views/Panel';
import { StatechartView } from './views/StatechartView';
import { StatusView } from './views/StatusView';
import { SysfsView } from './views/SysfsView';
import { Workbench } from './layout/Workbench';
import { TasksLegend } from './views/TasksLegend';
import { TasksView } from './views/TasksView';
import { TimelineView } from './views/TimelineView';
import { engine, useData, useEngineId, useWorkerError, useWorkerReady } from './engine';
import { ScenarioMenu } from './views/ScenarioMenu';
import { CrashNotice } from './views/CrashNotice';
import { ConsistencyView, NeverShippedNote, ProposalBadge } from './views/consistency/ConsistencyView';
import { useView } from './store';
import { useShortcuts } from './useShortcuts';
import { AboutScenario } from './views/about/AboutScenario';
import { SelftestBadge } from './views/about/SelftestBadge';
import { ChaptersButton, ChaptersHost } from './chapters/Chapters';
import { GlossaryButton, GlossaryDialog } from './glossary/GlossaryDialog';
import { SearchButton } from './views/search/SearchButton';
import { CompareButton } from './compare/CompareChooser';
import { openCompareFromLink, useCompare } from './compare/compareStore';

// Compare mode (its views, log diff and second host's panels) loads when a comparison opens.
const CompareMode = lazy(() => import('./compare/CompareMode').then((m) => ({ default: m.CompareMode })));

export default function App() {
  const id = useEngineId();
  // A Compare link opens Compare mode at once (a bad one only adds a notice to the page).
  const [linkError] = useState(openCompareFromLink);
  const comparing = useCompare((s) => s.session);
  if (comparing) {
    return (
      <Suspense fallback={<p className="starting" role="status">Opening Compare…</p>}>
        <CompareMode session={comparing} />
      </Suspense>
    );
  }
  // A new scenario is a new engine: every view remounts on it.
  return <Starting key={id} linkError={linkError} />;
}

/** In worker mode the views mount once the worker has built the machine and sent what they draw. */
function Starting({ linkError }: { linkError?: string }) {
  const ready = useWorkerReady();
  const error = useWorkerError();
  const theme = useView((v) => v.theme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const e = engine();
  if (ready) return <Workspace linkError={linkError} />;
  return (
    <div className="app">
      <header className="app-head">
        <h1>Livepatch Explorer</h1>
        <p className="scenario-title" title={e.scenario.title}>{e.scenario.title}</p>
        <ScenarioMenu />
      </header>
      {error ? (
        <CrashNotice />
      ) : (
        <p className="starting" role="status" data-testid="worker-starting">Building the machine in a background worker…</p>
      )}
    </div>
  );
}

const PANEL_TITLES: Record<string, string> = {
  tasks: 'Tasks',
  funcs: 'Function stacks',
  timeline: 'Timeline',
  log: 'Kernel log',
  console: 'Console',
  status: 'Status',
  inspector: 'Inspector',
  statechart: 'Statechart',
  sysfs: 'sysfs',
  consistency: 'Consistency',
};

/** Every view in its panel, by the layout's panel ids. */
const panels: Record<string, ReactNode> = {
  tasks: <Panel id="tasks" title="Tasks" legend={<><TasksLegend /><NeverShippedNote /></>} actions={<ExportButtons view="tasks" title="Tasks" />}><TasksView /></Panel>,
  funcs: <Panel id="funcs" title="Function stacks" actions={<ExportButtons view="funcs" title="Function stacks" />}><FuncStacksView /></Panel>,
  timeline: <Panel id="timeline" title="Timeline" actions={<ExportButtons view="timeline" title="Timeline" svg />}><TimelineView /></Panel>,
  log: <Panel id="log" title="Kernel log" legend={<LogLegend />} actions={<><ExportTranscriptButton /><ExportCaseButton /><ExportButtons view="log" title="Kernel log" /></>}><KernelLogView /></Panel>,
  console: <Panel id="console" title="Console" actions={<ExportButtons view="console" title="Console" />}><ConsoleView /></Panel>,
  status: <Panel id="status" title="Status" actions={<ExportButtons view="status" title="Status" />}><StatusView /></Panel>,
  inspector: <Panel id="inspector" title="Inspector" legend={<InspectorLegend />} actions={<ExportButtons view="inspector" title="Inspector" />}><InspectorView /></Panel>,
  statechart: <Panel id="statechart" title="Statechart" actions={<ExportButtons view="statechart" title="Statechart" svg />}><StatechartView /></Panel>,
  sysfs: <Panel id="sysfs" title="sysfs" actions={<ExportButtons view="sysfs" title="sysfs" />}><SysfsView /></Panel>,
  consistency: <Panel id="consistency" title="Consistency" actions={<ExportButtons view="consistency" title="Consistency" />}><ConsistencyView /></Panel>,
};

function Workspace({ linkError }: { linkError?: string }) {
  const title = useData('title');
  const [notice, setNotice] = useState(linkError ?? engine().notice);
  const rescued = engine().rescued;
  useShortcuts();
  useEffect(() => {
    // For the end-to-end tests and for users poking at the model from devtools: the port, as the views use it.
    const p = engine().port;
    (window as unknown as { livepatchExplorer: unknown }).livepatchExplorer = { port: p, playback: p.playback, scenario: engine().scenario, session: p.debugSession };
    // The first render is on screen: `npm run bench` reads this mark (first_render_ms).
    pageFrames.request(() => performance.mark('lpx:first-render'), 'after');
  }, []);
  return (
    <div className="app">
      <header className="app-head">
        <h1>Livepatch Explorer</h1>
        <p className="scenario-title" title={title}>{title}</p>
        <PolicyHeader />
        <ScenarioMenu />
      </header>
      <div className="about-row">
        <AboutScenario description={engine().scenario.description} extra={<SelftestBadge />} />
        <ChaptersButton />
        <GlossaryButton />
        <SearchButton />
        <CompareButton />
      </div>
      <ChaptersHost />
      {notice && (
        <div className="notice" role="alert">
          <span>{notice}</span>
          {rescued !== undefined && (
            <button type="button" onClick={() => download(new Blob([rescued], { type: 'application/json' }), 'unopened-saved-scenario.json')}>
              Download the saved copy
            </button>
          )}
          <button type="button" onClick={() => setNotice(undefined)}>Dismiss</button>
        </div>
      )}
      <CrashNotice />
      <RunStoppedNotice />
      <Controls />
      <Workbench panels={panels} titles={PANEL_TITLES} />
      <HelpOverlay />
      <GlossaryDialog />
    </div>
  );
}

/** The kernel policy the scenario runs, with the proposal badge for an unmerged one. */
function PolicyHeader() {
  const policy = useData('policy');
  if (policy.name === 'upstream') return null;
  return (
    <p className="policy-head" title={policy.title}>
      policy <code>{policy.name}</code> <ProposalBadge />
    </p>
  );
}

/** The run budget stopped the run (src/kernel/budget.ts): say which budget and what reached it. */
function RunStoppedNotice() {
  const stopped = useData('stopped');
  if (!stopped) return null;
  return (
    <div className="notice" role="alert" data-testid="run-stopped">
      <span>{stopped}. The transcript up to here is kept; seek back, or edit the scenario.</span>
    </div>
  );
}
