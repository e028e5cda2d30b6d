// coach's page: the live session (pushed by server-sent events), steering, scripts and
// progress. Everything shown from the server goes in as text (textContent), never HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const el = (tag, text, cls) => {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
};
window.coachLatencies = [];  // ms from the session's event to the page showing it (bench/)

async function api(path, body, method) {
  const init = { method: method || (body === undefined ? "GET" : "POST"),
                 credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let data = {};
  try { data = await response.json(); } catch (e) { /* an empty or plain answer */ }
  if (response.status === 401 && path !== "/api/pair") showPairing();
  return { ok: response.ok, status: response.status, data };
}

// -- pairing -----------------------------------------------------------------------------

function showPairing() {
  $("pairing").hidden = false;
  $("tabs").hidden = true;
  $("app").hidden = true;
  $("badge").textContent = "not paired";
}

function showApp() {
  $("pairing").hidden = true;
  $("tabs").hidden = false;
  $("app").hidden = false;
}

$("pair-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const answer = await api("/api/pair", { code: $("pair-code").value });
  if (answer.ok) { boot(); } else { $("pair-note").textContent = answer.data.error || "no"; }
});

// -- tabs ----------------------------------------------------------------------------------

for (const button of document.querySelectorAll("nav button")) {
  button.addEventListener("click", () => openTab(button.dataset.tab));
}

function openTab(name) {
  for (const b of document.querySelectorAll("nav button")) {
    b.classList.toggle("on", b.dataset.tab === name);
  }
  for (const tab of document.querySelectorAll(".tab")) tab.hidden = tab.id !== name;
  if (name === "start") loadScripts();
  if (name === "scripts") loadPicker();
  if (name === "progress") loadProgress();
}

// -- now -----------------------------------------------------------------------------------

let current = null;
let endsAt = null;  // performance.now() when the timed phase ends
let total = null;

function show(state, fresh) {
  current = state;
  const active = state.state === "running" || state.state === "paused";
  $("title").textContent = state.workout || "coach";
  $("badge").textContent = state.state;
  $("badge").className = "badge " + state.state;
  if (!state.exercise) {
    $("exercise").textContent = active ? "Starting…" : "Nothing running";
  } else {
    $("exercise").textContent = state.exercise + (state.side ? " · " + state.side : "");
  }
  const counts = [];
  if (state.set) counts.push(`Set ${state.set}/${state.sets}`);
  if (state.rep) counts.push(`Rep ${state.rep}/${state.reps}`);
  else if (state.reps && state.set) counts.push(`${state.reps} reps`);
  $("counts").textContent = counts.join(" · ");
  $("phase").textContent = state.state === "paused" ? "paused" : (state.phase || "");
  $("said").textContent = state.said ? `“${state.said}”` : "";
  if (!active) {
    $("said").textContent = (state.state === "done" ? "Done. " : "") +
      "Pick a workout under Start, or say “start” and its name.";
  }
  $("next").textContent = state.next || "—";
  const heard = state.heard;
  $("heard").textContent = heard
    ? `${heard.command} (${heard.source})${heard.accepted ? "" : " – nothing to do"}` : "—";
  $("reps").textContent = state.planned_reps
    ? `${state.completed_reps}/${state.planned_reps} reps done` : "";
  const pause = $("b-pause");
  pause.textContent = state.state === "paused" ? "Resume" : "Pause";
  pause.dataset.command = state.state === "paused" ? "resume" : "pause";
  for (const b of document.querySelectorAll(".controls button")) b.disabled = !active;
  total = state.total;
  endsAt = state.left !== null && state.left !== undefined && state.state === "running"
    ? performance.now() + (state.left / (state.speed || 1)) * 1000 : null;
  tick();
  if (fresh && state.emitted) window.coachLatencies.push(Date.now() - state.emitted * 1000);
  if (window.coachLatencies.length > 5000) window.coachLatencies.shift();
}

function tick() {
  if (endsAt === null) {
    $("left").textContent = "";
    $("bar-fill").style.width = "0";
    return;
  }
  const left = Math.max(0, (endsAt - performance.now()) / 1000 * ((current && current.speed) || 1));
  $("left").textContent = left.toFixed(left < 10 ? 1 : 0) + " s";
  const whole = Math.max(total || 0, left, 0.001);
  $("bar-fill").style.width = `${100 * (1 - left / whole)}%`;
}
setInterval(tick, 100);

let stream = null;
function follow() {
  if (stream) stream.close();
  stream = new EventSource("/api/events");
  let first = true;  // the stream opens with the state as it was: no update to time
  stream.onmessage = (message) => {
    show(JSON.parse(message.data), !first);
    first = false;
  };
  stream.onerror = async () => {
    // A refused stream (401) is closed for good; a dropped one reconnects by itself.
    if (stream.readyState === EventSource.CLOSED) {
      const answer = await api("/api/state");
      if (answer.ok) setTimeout(follow, 1000);
    }
  };
}

let stopArmed = null;
for (const button of document.querySelectorAll(".controls button")) {
  button.addEventListener("click", async () => {
    const command = button.dataset.command;
    if (command === "stop" && !stopArmed) {  // a stray tap mustn't end the workout
      button.classList.add("armed");
      button.textContent = "Tap again to stop";
      stopArmed = setTimeout(() => {
        stopArmed = null;
        button.classList.remove("armed");
        button.textContent = "Stop";
      }, 3000);
      return;
    }
    if (command === "stop") {
      clearTimeout(stopArmed);
      stopArmed = null;
      button.classList.remove("armed");
      button.textContent = "Stop";
    }
    const answer = await api("/api/command", { command });
    $("now-note").textContent = answer.ok ? "" : (answer.data.error || "not sent");
  });
}

// -- start ---------------------------------------------------------------------------------

async function loadScripts() {
  const answer = await api("/api/scripts");
  if (!answer.ok) return;
  const list = $("script-list");
  list.replaceChildren();
  for (const script of answer.data.scripts) {
    const item = el("li");
    const about = el("div");
    about.append(el("strong", script.workout || script.name));
    about.append(el("div", script.problem
      ? script.problem
      : [script.name, script.reps ? `${script.reps} reps` : "", script.bundled ? "" : "yours"]
        .filter(Boolean).join(" · "),
      "small"));
    const go = el("button", "Start");
    go.dataset.script = script.name;
    go.disabled = Boolean(script.problem);
    go.addEventListener("click", () => start({ script: script.name }));
    item.append(about, go);
    list.append(item);
  }
}

async function start(body) {
  const answer = await api("/api/start", body);
  $("start-note").textContent = answer.ok ? "" : (answer.data.error || "not started");
  if (answer.ok) openTab("now");
}
$("resume").addEventListener("click", () => start({ resume: true }));

// -- scripts -------------------------------------------------------------------------------

let templates = [];
async function loadPicker() {
  const [scripts, starters] = await Promise.all([api("/api/scripts"), api("/api/templates")]);
  templates = starters.ok ? starters.data.templates : [];
  const pick = $("script-pick");
  pick.replaceChildren(el("option", "Open…"));
  pick.firstChild.value = "";
  for (const t of templates) {
    const option = el("option", `New from the ${t.kind} template`);
    option.value = "template:" + t.kind;
    pick.append(option);
  }
  for (const s of scripts.ok ? scripts.data.scripts : []) {
    const option = el("option", `${s.name}${s.bundled ? " (bundled)" : ""}`);
    option.value = "script:" + s.name;
    pick.append(option);
  }
  if (!$("editor").value && templates.length) $("editor").value = templates[0].text;
}

$("script-pick").addEventListener("change", async () => {
  const value = $("script-pick").value;
  if (value.startsWith("template:")) {
    const t = templates.find((x) => "template:" + x.kind === value);
    $("editor").value = t.text;
  } else if (value.startsWith("script:")) {
    const name = value.slice(7);
    const answer = await api("/api/scripts/" + encodeURIComponent(name));
    if (answer.ok) {
      $("editor").value = answer.data.text;
      $("script-name").value = name;
    }
  }
  check();
});

$("upload").addEventListener("change", async () => {
  const file = $("upload").files[0];
  if (!file) return;
  $("script-name").value = file.name.replace(/\.(ya?ml)$/i, "").replace(/[^A-Za-z0-9_-]/g, "-");
  $("editor").value = await file.text();
  check();
});

let typing = null;
$("editor").addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(check, 700);  // check as you type, once you pause
});
$("check").addEventListener("click", () => check());
$("save").addEventListener("click", () => check(true));

async function check(saving) {
  const name = $("script-name").value.trim();
  const text = $("editor").value;
  const answer = saving
    ? await api("/api/scripts/" + encodeURIComponent(name), { text }, "PUT")
    : await api("/api/scripts/check", { name, text });
  const data = answer.data;
  if (!data.problems) {
    $("script-note").textContent = data.error || "can't check it";
    showLines(text, []);
    $("timeline").replaceChildren();
    return;
  }
  const n = data.problems.length;
  $("script-note").className = n ? "note" : "note ok";
  $("script-note").textContent = n
    ? `${n} problem${n > 1 ? "s" : ""}${saving ? ": not saved" : ""}`
    : (data.saved ? `Saved as ${data.saved}` : "No problems.");
  showLines(text, data.problems);
  showTimeline(data.timeline || []);
}

function showLines(text, problems) {
  const box = $("lines");
  box.replaceChildren();
  if (!problems.length) return;
  const byLine = new Map();
  for (const p of problems) {
    if (!byLine.has(p.line)) byLine.set(p.line, []);
    byLine.get(p.line).push(p);
  }
  text.split("\n").forEach((line, i) => {
    const number = i + 1;
    const row = el("div", null, "line" + (byLine.has(number) ? " bad" : ""));
    row.append(el("span", number, "n"), el("span", line));
    box.append(row);
    for (const p of byLine.get(number) || []) {
      const note = el("div", `${" ".repeat(Math.max(0, p.column - 1))}^ ${p.text}`, "problem");
      note.dataset.line = number;
      note.dataset.column = p.column;
      note.addEventListener("click", () => goTo(number));
      box.append(note);
    }
  });
  const first = box.querySelector(".problem");
  if (first) first.scrollIntoView({ block: "nearest" });
}

function goTo(line) {
  const editor = $("editor");
  const lines = editor.value.split("\n");
  const at = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0);
  editor.focus();
  editor.setSelectionRange(at, at + (lines[line - 1] || "").length);
}

function showTimeline(events) {
  const list = $("timeline");
  list.replaceChildren();
  for (const e of events.slice(0, 400)) {
    let what = null;
    if (e.event === "say") what = `“${e.text}”`;
    else if (e.event === "phase") {
      what = `${e.exercise}${e.side ? " · " + e.side : ""} · set ${e.set}` +
        (e.rep ? ` · rep ${e.rep}` : "") + ` · ${e.phase}`;
    } else if (e.event === "rest") what = `rest ${e.seconds} s`;
    else if (e.event === "done") what = `done: ${e.completed_reps}/${e.planned_reps} reps`;
    if (what === null) continue;
    const item = el("li");
    item.append(el("span", clock(e.t), "t"), el("span", what));
    if (e.event === "say") {
      const hear = el("button", "▶", "hear");
      hear.title = "hear it through the speaker";
      hear.setAttribute("aria-label", "hear it through the speaker");
      hear.addEventListener("click", async () => {
        const answer = await api("/api/say", { text: e.text });
        $("script-note").textContent = answer.ok ? "" : (answer.data.error || "not said");
      });
      item.append(hear);
    }
    list.append(item);
  }
}

function clock(seconds) {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// -- progress ------------------------------------------------------------------------------

$("practice").addEventListener("change", loadProgress);

async function loadProgress() {
  const answer = await api("/api/progress" + ($("practice").checked ? "?practice=1" : ""));
  if (!answer.ok) return;
  const data = answer.data;
  $("progress-note").textContent = data.note || "";
  const figures = $("figures");
  figures.replaceChildren();
  for (const x of data.exercises) {
    const card = el("div", null, "card");
    card.append(el("h3", x.exercise));
    const facts = el("dl");
    const add = (name, value) => {
      if (value === null || value === undefined || value === 0 || value === "") return;
      facts.append(el("dt", name), el("dd", value));
    };
    add("sessions", x.sessions);
    add("sets", x.sets);
    add("reps", x.reps);
    add("held", x.seconds_held ? clock(x.seconds_held) : null);
    add("under tension", x.time_under_tension_seconds ? clock(x.time_under_tension_seconds) : null);
    add("volume", x.volume ? `${round(x.volume)} ${x.unit || ""}` : null);
    add("best set", x.best_set);
    add("1RM (est.)", x.one_rep_max ? `${round(x.one_rep_max)} ${x.unit || ""}` : null);
    add("weekly streak", x.weekly_streak);
    const measure = x.volume ? "volume" : x.reps ? "reps" : "seconds held";
    const unit = x.volume && x.unit ? ` (${x.unit})` : "";
    card.append(facts, el("div", `${measure} per week${unit}`, "small"),
                weeksChart(x.weeks, measure));
    figures.append(card);
  }
  const list = $("sessions");
  list.replaceChildren();
  for (const s of data.sessions.slice().reverse().slice(0, 30)) {
    const item = el("li");
    item.append(el("span", `${s.started.slice(0, 16).replace("T", " ")} · ${s.workout}`),
                el("span", `${s.completed_reps}/${s.planned_reps} · ${s.status}`, "small"));
    list.append(item);
  }
}

function round(value) { return Math.round(value * 10) / 10; }

function weeksChart(weeks, label) {
  const NS = "http://www.w3.org/2000/svg";
  const entries = Object.entries(weeks || {});
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("class", "weeks");
  svg.setAttribute("viewBox", "0 0 300 120");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `${label} per week`);
  const top = Math.max(1, ...entries.map(([, v]) => v));
  const width = 300 / Math.max(entries.length, 1);
  entries.forEach(([monday, value], i) => {
    const rect = document.createElementNS(NS, "rect");
    const h = 90 * value / top;
    rect.setAttribute("x", String(i * width + 2));
    rect.setAttribute("y", String(100 - h));
    rect.setAttribute("width", String(Math.max(1, width - 4)));
    rect.setAttribute("height", String(h));
    const title = document.createElementNS(NS, "title");
    title.textContent = `week of ${monday}: ${round(value)} ${label}`;
    rect.append(title);
    svg.append(rect);
    const text = document.createElementNS(NS, "text");
    text.setAttribute("x", String(i * width + 2));
    text.setAttribute("y", "115");
    text.textContent = monday.slice(5);
    svg.append(text);
  });
  return svg;
}

// -- start up ------------------------------------------------------------------------------

async function boot() {
  const answer = await api("/api/state");
  if (!answer.ok) return;
  showApp();
  show(answer.data);
  follow();
}
boot();
