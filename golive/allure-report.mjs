// `allure generate`, as Allure 3's own command does it (@allurereport/core), plus the one
// thing it leaves out: the run's quality gate, evaluated and shown in the report (as
// `allure run` does), so the report says what golive's verdict says. golive runs it as
//   node allure-report.mjs ROOT RESULTS_DIR REPORT_DIR CONFIG
// where ROOT holds node_modules with the pinned `allure` package (package.json).
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [root, results, output, configPath] = process.argv.slice(2);
if (!root || !results || !output || !configPath) {
  console.error("usage: node allure-report.mjs ROOT RESULTS_DIR REPORT_DIR CONFIG");
  process.exit(2);
}
const entry = join(root, "node_modules", "@allurereport", "core", "dist", "index.js");
const { AllureReport, readConfig } = await import(pathToFileURL(entry).href);

const config = await readConfig(process.cwd(), configPath, { output });
const report = new AllureReport(config);
await report.start();
await report.readDirectory(results);
if (report.hasQualityGate) {
  const trs = await report.store.allTestResults({ includeRetries: false });
  const { results: gate } = await report.validate({ trs });
  if (gate.length > 0) {
    report.realtimeDispatcher.sendQualityGateResults(gate);
  }
}
await report.done();
