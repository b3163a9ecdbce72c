// Runs one scenario by name: `node tests/run.mjs seed-story`. The suite's xunit tests call it, one test a scenario.
const name = process.argv[2];
if (!/^[a-z-]+$/.test(name ?? '')) {
  console.error('usage: node tests/run.mjs <scenario>');
  process.exit(2);
}
await import(`./scenarios/${name}.mjs`);
