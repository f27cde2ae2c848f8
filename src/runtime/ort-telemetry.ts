/**
 * Keeps onnxruntime from reporting to Microsoft. onnxruntime 1.29 and later start Microsoft's 1DS
 * telemetry client on Linux too: every process that opens a session leaves an empty
 * `/tmp/mat-debug-<pid>.log`, and users report outbound connections (OHF-Voice/wyoming-piper#64).
 * A local search tool should not phone home. onnxruntime reads `ORT_DISABLE_TELEMETRY`
 * when it creates its environment, which happens with the first session, so this must run before
 * any session is created. It runs on the main thread, before any session worker starts: a worker's
 * `process.env` is its own copy, but onnxruntime reads the process's real environment, which the
 * main thread's assignment sets. A value the user set, such as `ORT_DISABLE_TELEMETRY=0`, is left as it is.
 */
export function disableOrtTelemetry(): void {
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
}
