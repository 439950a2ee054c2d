"use strict";
// Shows the sign-in form or the fleet summary (GET /api/v1/session, /api/v1/summary).
async function start() {
  const session = await fetch("/api/v1/session", { credentials: "same-origin" });
  if (session.status !== 200) {
    document.getElementById("login").hidden = false;
    return;
  }
  const summary = await (await fetch("/api/v1/summary", { credentials: "same-origin" })).json();
  const section = document.getElementById("summary");
  section.textContent =
    `${summary.hosts} hosts: ${summary.ready} ready, ${summary.not_ready} not ready, ` +
    `${summary.unknown} unknown, ${summary.unsupported} unsupported (rules ${summary.rules.version})`;
  section.hidden = false;
  document.getElementById("logout").hidden = false;
}
start();
