export { buildReport, type ReportPlan } from "./build-report.js";
export {
  type ReportRecord,
  ResultsError,
  readSweepResults,
  type SweepResults,
} from "./read-results.js";
export { type ClaimGroup, reportClaims } from "./report-claims.js";
export { meanSd, type ResultRow, resultRows } from "./result-rows.js";
export { type WrittenReport, writeReport } from "./write-report.js";
