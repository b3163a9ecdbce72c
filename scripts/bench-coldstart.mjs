// Cold start, standalone: process start to the first 200 on /healthz, median of N runs, app vs floor, runs
// interleaved so both see the same machine load. Usage: node scripts/bench-coldstart.mjs <appDir> <floorDir> [runs]
import { spawn } from "node:child_process";
import net from "node:net";
import http from "node:http";
import path from "node:path";

const [appDir, floorDir, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 7);

const freePort = () => new Promise((resolve) => {
  const server = net.createServer();
  server.listen(0, "127.0.0.1", () => { const { port } = server.address(); server.close(() => resolve(port)); });
});
const get = (port) => new Promise((resolve) => {
  const req = http.get({ host: "127.0.0.1", port, path: "/healthz", agent: false }, (res) => { res.resume(); resolve(res.statusCode); });
  req.on("error", () => resolve(0));
});

async function coldStart(dir, exe, env) {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(path.join(dir, exe), [], { cwd: dir, env: { ...process.env, ...env(port) }, stdio: "ignore" });
  try {
    for (;;) {
      if (await get(port) === 200) return Number(process.hrtime.bigint() - started) / 1e6;
      if (child.exitCode !== null) throw new Error(`${exe} exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    child.kill("SIGKILL");
    await new Promise((r) => child.exitCode !== null || child.signalCode !== null ? r() : child.on("exit", r));
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const app = [], floor = [];
const logging = { Logging__LogLevel__Default: "Warning", ASPNETCORE_ENVIRONMENT: "Production" };
// One warm-up of each so the first measured run does not pay for the OS file cache.
await coldStart(appDir, "ConnectedAccounts.Functions", (port) => ({ ...logging, ASPNETCORE_URLS: `http://127.0.0.1:${port}`, Storage__DataPath: path.join(appDir, "..", "bench-data") }));
await coldStart(floorDir, "ColdStartFloor", (port) => ({ ...logging, ASPNETCORE_URLS: `http://127.0.0.1:${port}` }));
for (let i = 0; i < runs; i++) {
  app.push(await coldStart(appDir, "ConnectedAccounts.Functions", (port) => ({ ...logging, ASPNETCORE_URLS: `http://127.0.0.1:${port}`, Storage__DataPath: path.join(appDir, "..", "bench-data") })));
  floor.push(await coldStart(floorDir, "ColdStartFloor", (port) => ({ ...logging, ASPNETCORE_URLS: `http://127.0.0.1:${port}` })));
}
const fmt = (xs) => xs.map((x) => x.toFixed(0)).join(", ");
console.log(`app runs (ms):   ${fmt(app)}`);
console.log(`floor runs (ms):   ${fmt(floor)}`);
console.log(`app median:   ${median(app).toFixed(0)} ms`);
console.log(`floor median:   ${median(floor).toFixed(0)} ms`);
console.log(`ratio: ${(median(app) / median(floor)).toFixed(2)}x`);
