export default function App() {
  return (
    <main className="app">
      <h1>Livepatch Explorer</h1>
      <p>
        The simulator core is available from the command line (<code>npm run sim</code>,{' '}
        <code>npm run conformance</code>); the interactive views arrive next.
      </p>
    </main>
  );
}
