// The classroom board's page: /room (players) and /control (facilitator) are this one
// script. It follows the server's event stream and draws the view it sends: the map as
// SVG, the clock, the current inject or decision with its forecast bars, the inject cards
// and the reports; on /control also the true state and the controls. Text from the
// scenario is only ever set as text (textContent), never parsed as HTML.
"use strict";

const VIEW = document.body.dataset.view;
const CONTROL = VIEW === "control";
const ROLE = document.body.dataset.role || "";
const TOKEN = new URLSearchParams(location.search).get("token") || "";
const SVGNS = "http://www.w3.org/2000/svg";
const SIDE_COLOURS = {attacker: "#c0392b", defender: "#1f5fa6"};

function withView(path) {
  const query = "view=" + VIEW + (TOKEN ? "&token=" + encodeURIComponent(TOKEN) : "") +
    (ROLE ? "&role=" + encodeURIComponent(ROLE) : "");
  return path + (path.includes("?") ? "&" : "?") + query;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVGNS, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function words(id) { return String(id || "").replace(/_/g, " "); }

function num(x) {
  if (x === null || x === undefined || !isFinite(x)) return "–";
  const digits = Math.abs(x) < 1 ? 1 : 3;
  return Number(x.toPrecision(digits)).toLocaleString("en-GB");
}

function pct(x) {
  if (x === null || x === undefined || !isFinite(x)) return "–";
  return Math.round(x * 100) + "%";
}

// ------------------------------------------------------------------------ the map
let mapDrawn = false;
const nodeXY = {};

// Labels go where they overlap nothing placed before them (the dam first, then towns by
// size): right, left, above or below their node; a label with no free place is left out.
function placeLabels(layout, size, radius) {
  const boxes = layout.nodes.map(n => {
    const [x, y] = nodeXY[n.id];
    const r = radius[n.id];
    return [x - r, y - r, x + r, y + r];
  });
  const overlaps = (a, b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  const order = [...layout.nodes].sort((a, b) =>
    (b.kind === "dam") - (a.kind === "dam") || b.population - a.population);
  const font = size * 0.026;
  const placed = {};
  for (const node of order) {
    const [x, y] = nodeXY[node.id];
    const width = node.name.length * font * 0.68 + font * 0.3;
    const height = font * 2.3;  // the name and a line of state under it
    const gap = radius[node.id] + font * 0.3;
    const candidates = [
      [x + gap, y - font * 0.9, "start"], [x - gap, y - font * 0.9, "end"],
      [x - width / 2, y - gap - height, "middle"], [x - width / 2, y + gap, "middle"],
      [x + gap, y - height, "start"], [x + gap, y + font * 0.2, "start"],
      [x - gap, y - height, "end"], [x - gap, y + font * 0.2, "end"]];
    for (const [cx, top, anchor] of candidates) {
      const left = anchor === "start" ? cx : anchor === "end" ? cx - width : cx;
      const box = [left, top, left + width, top + height];
      if (left < 0 || top < 0 || box[2] > layout.width_km || box[3] > layout.height_km) continue;
      if (boxes.some(other => overlaps(box, other))) continue;
      boxes.push(box);
      const textX = anchor === "start" ? left : anchor === "end" ? left + width : left + width / 2;
      placed[node.id] = {x: textX, y: top + font, anchor, font};
      break;
    }
  }
  return placed;
}

function drawMap(layout) {
  const map = document.getElementById("map");
  map.replaceChildren();
  map.setAttribute("viewBox", `0 0 ${layout.width_km} ${layout.height_km}`);
  for (const node of layout.nodes) nodeXY[node.id] = [node.x_km, node.y_km];
  if (layout.river.length > 1) {
    const points = layout.river.map(id => nodeXY[id].join(",")).join(" ");
    map.append(svg("polyline", {points, class: "river"}));
  }
  for (const road of layout.roads) {
    const [x1, y1] = nodeXY[road.from];
    const [x2, y2] = nodeXY[road.to];
    map.append(svg("line", {x1, y1, x2, y2, class: "road"}));
  }
  const biggest = Math.max(1, ...layout.nodes.map(n => n.population));
  const size = Math.max(layout.width_km, layout.height_km);
  const radius = {};
  for (const node of layout.nodes) {
    const [x, y] = nodeXY[node.id];
    const group = svg("g", {id: "node-" + node.id, class: "node kind-" + node.kind});
    if (node.kind === "dam") {
      const half = radius[node.id] = size * 0.012;
      group.append(svg("rect", {x: x - half, y: y - half, width: 2 * half, height: 2 * half}));
    } else if (node.kind === "town" || node.kind === "city") {
      radius[node.id] = size * (0.006 + 0.014 * Math.sqrt(node.population / biggest));
      group.append(svg("circle", {cx: x, cy: y, r: radius[node.id]}));
    } else {
      radius[node.id] = size * 0.005;
      group.append(svg("circle", {cx: x, cy: y, r: radius[node.id]}));
    }
    group.append(svg("title", {}, node.name));
    map.append(group);
  }
  const labels = placeLabels(layout, size, radius);
  for (const node of layout.nodes) {
    const label = labels[node.id];
    if (!label) continue;
    map.append(svg("text", {x: label.x, y: label.y, class: "label", "text-anchor": label.anchor,
                            "font-size": label.font}, node.name));
    map.append(svg("text", {x: label.x, y: label.y + label.font * 1.1, class: "sublabel",
                            id: "note-" + node.id, "text-anchor": label.anchor,
                            "font-size": label.font * 0.9}, ""));
  }
  const bar = 50;  // km: the layout is in km, so the bar is true anywhere on the map
  const y0 = layout.height_km - size * 0.04;
  map.append(svg("line", {x1: size * 0.03, y1: y0, x2: size * 0.03 + bar, y2: y0,
                          class: "scale"}));
  map.append(svg("text", {x: size * 0.03, y: y0 - size * 0.015, class: "scaletext",
                          "font-size": size * 0.022}, bar + " km"));
  map.append(svg("g", {id: "forces"}));
  mapDrawn = true;
}

function updateMap(state) {
  const size = Math.max(state.map.width_km, state.map.height_km);
  for (const node of state.map.nodes) {
    const group = document.getElementById("node-" + node.id);
    const town = state.towns[node.id] || {};
    group.classList.toggle("held-attacker", town.held_by === "attacker");
    group.classList.toggle("flooded", town.flood_m !== undefined);
    group.classList.toggle("warned", !!town.warned);
    const parts = [];
    const dam = node.id === (state.dam || {}).node;
    if (town.held_by === "attacker" && !dam) parts.push("taken");
    if (town.flood_m !== undefined) parts.push("flood " + town.flood_m + " m");
    if (dam) parts.push(state.dam.state);
    const note = document.getElementById("note-" + node.id);
    if (note) note.textContent = parts.join(" · ");
  }
  // Forces are numbered markers (the list under the map names them): on a node, or half
  // way along the road they are on; several at one place stand in a row.
  const layer = document.getElementById("forces");
  layer.replaceChildren();
  const atPlace = {};
  state.forces.forEach((force, index) => {
    let x, y, place;
    if (force.road) {
      const [a, b] = force.road.map(id => nodeXY[id]);
      [x, y] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
      place = force.road.join("-");
    } else if (nodeXY[force.at]) {
      [x, y] = nodeXY[force.at];
      place = force.at;
    } else return;
    const k = atPlace[place] = (atPlace[place] || 0) + 1;
    const r = size * 0.016;
    x -= r * 1.2 + (k - 1) * 2.3 * r;  // to the left: labels prefer the right
    y += r * 1.4;
    const group = svg("g", {class: "force side-" + force.side, id: "force-" + force.id});
    group.append(svg("circle", {cx: x, cy: y, r, fill: SIDE_COLOURS[force.side] || "#8e44ad"}));
    group.append(svg("text", {x, y: y + r * 0.45, class: "forcenumber", "font-size": r * 1.3},
                     String(index + 1)));
    group.append(svg("title", {}, words(force.id) + ": " + force.status));
    layer.append(group);
  });
}

// ------------------------------------------------------------------ the panels
function bar(label, estimate, scale, format) {
  const row = el("div", {class: "barrow"}, el("span", {class: "barlabel"}, label));
  const track = el("div", {class: "track"});
  if (estimate && scale > 0) {
    const fill = el("div", {class: "fill"});
    fill.style.width = Math.min(100, 100 * estimate.mean / scale) + "%";
    track.append(fill);
    if (estimate.low !== null && estimate.high !== null && estimate.high > estimate.low) {
      const ci = el("div", {class: "ci"});
      ci.style.left = Math.min(100, 100 * Math.max(0, estimate.low) / scale) + "%";
      ci.style.width = Math.min(100, 100 * (estimate.high - Math.max(0, estimate.low)) / scale) + "%";
      track.append(ci);
    }
  }
  row.append(track);
  let text = "–";
  if (estimate) {
    text = format(estimate.mean);
    if (estimate.low !== null && estimate.high !== null && estimate.high > estimate.low)
      text += ` (${format(Math.max(0, estimate.low))}–${format(estimate.high)})`;
  }
  row.append(el("span", {class: "barvalue"}, text));
  return row;
}

function card(c, big) {
  const node = el("div", {class: "card" + (big ? " big" : "")},
    el("div", {class: "cardhead"}, `${c.time} · ${c.clock} · from ${c.from} to ${c.to}`),
    el("div", {class: "message"}, c.message));
  if (c.expected_action) node.append(el("div", {class: "expected"}, "Expected action: " + c.expected_action));
  for (const note of c.notes || []) node.append(el("div", {class: "note"}, "Note: " + note));
  return node;
}

function decision(step) {
  const box = el("div", {class: "decision"},
    el("div", {class: "kind"}, `DECISION · ${step.time}` + (step.chosen ? " · decided" : "")),
    el("div", {class: "question"}, step.question));
  const options = step.options.filter(o => o.allowed && o.fatalities);
  const deaths = Math.max(1, ...options.map(o => o.fatalities.high),
                          ...options.map(o => (o.if_breach && o.if_breach.high) || (o.if_breach && o.if_breach.mean) || 0));
  for (const option of step.options) {
    const chosen = step.chosen === option.id;
    const node = el("div", {class: "option" + (chosen ? " chosen" : "") + (option.allowed ? "" : " refused"),
                            id: "option-" + option.id},
      el("div", {class: "optionname"}, words(option.id) + (chosen ? " ✔ chosen" : "")),
      el("div", {class: "description"}, option.description));
    if (!option.allowed) node.append(el("div", {class: "refusal"}, "Cannot be taken now: " + option.refusal));
    else if (option.fatalities) {
      node.append(bar("P(dam captured)", option.p_captured, 1, pct));
      node.append(bar("P(breach)", option.p_breach, 1, pct));
      node.append(bar("expected deaths", option.fatalities, deaths, num));
      const ifb = option.if_breach || {};
      node.append(bar("if the dam breaks", ifb.mean !== undefined ?
        {mean: ifb.mean, low: ifb.low ?? null, high: ifb.high ?? null} : null, deaths, num));
      node.append(el("div", {class: "small"}, `deaths if the dam breaks: from ${ifb.branches || 0} of ${step.forecast_count} branches that breach`));
    }
    box.append(node);
  }
  if (step.forecast_count)
    box.append(el("div", {class: "small"}, `Forecasts: ${step.forecast_count} possible futures per option from what has happened so far; bars are means, whiskers 95% intervals. Expected deaths average over futures where the dam holds too.`));
  if (step.note) box.append(el("div", {class: "refusal"}, step.note));
  if (step.reasons) box.append(el("div", {class: "reasons"}, "The group's reasons: " + step.reasons));
  return box;
}

function renderStep(state) {
  const target = document.getElementById("step");
  const step = state.step;
  if (!step) {
    const waiting = !state.started ? "The exercise has not started." +
      (CONTROL ? " Press “Next” to show the first inject." : "") :
      `Nothing for ${state.role ? state.role.name : "you"} at the moment.`;
    target.replaceChildren(el("div", {class: "card big"}, el("div", {class: "message"}, waiting)));
  } else if (step.kind === "inject") {
    target.replaceChildren(el("div", {class: "kind"}, `INJECT · ${step.id}`), card(step.card, true));
    if (CONTROL && step.note) target.append(el("div", {class: "refusal"}, "Note: " + step.note));
  } else {
    target.replaceChildren(decision(step));
  }
  if (state.finished) {
    const ending = el("table", {class: "ending"}, ...state.ending.map(row =>
      el("tr", {}, el("td", {}, row.label), el("td", {class: "value"}, row.value))));
    target.prepend(el("div", {class: "banner"}, "End of the exercise: how the story ended"),
                   ending);
  }
}

function renderStrip(state) {
  const dam = state.dam || {};
  document.getElementById("dam").textContent = dam.name ? `${dam.name}: ${dam.state}` : "";
  document.getElementById("dam").className = "pill dam-" + String(dam.state || "").replace(/ /g, "-");
  const grid = state.grid;
  let text = "Grid: ";
  if (grid.shed_mw !== null) {
    text += `load shed now ${num(grid.shed_mw)} MW`;
    text += grid.shed_mw > grid.baseline_mw ? ` (${num(grid.shed_mw - grid.baseline_mw)} MW more than before the attack)` : " (the shortage before any attack)";
  } else text += "no model";
  for (const line of grid.lines) text += " · " + line;
  document.getElementById("grid").textContent = text;
  document.getElementById("forcelist").replaceChildren(...state.forces.map((f, i) =>
    el("div", {class: "forceline side-" + f.side}, el("span", {class: "number"}, String(i + 1)),
       el("b", {}, words(f.id)), ` (reported ${f.reported_strength || "–"}): ${f.status}`)));
}

function renderTruth(state) {
  const target = document.getElementById("truth");
  if (!CONTROL) { target.replaceChildren(); return; }
  const table = el("table", {class: "truth"},
    el("tr", {}, el("th", {}, "force"), el("th", {}, "true strength"), el("th", {}, "reported"),
       el("th", {}, "where / what"), el("th", {}, "last event")));
  for (const f of state.forces)
    table.append(el("tr", {}, el("td", {}, words(f.id)), el("td", {}, f.strength === null ? "–" : num(f.strength)),
      el("td", {}, f.reported_strength), el("td", {}, f.status), el("td", {}, f.report)));
  const parts = [el("h2", {class: "small"}, "True state (facilitator only)"), table];
  if (state.dam && state.dam.text) parts.push(el("div", {class: "small"}, "Dam: " + state.dam.text));
  if (state.notes.length) {
    parts.push(el("h2", {class: "small"}, "Notes"));
    parts.push(el("ul", {}, ...state.notes.map(n => el("li", {}, `${n.step}: ${n.text}`))));
  }
  if (state.not_reached.length) parts.push(el("div", {class: "small"}, "Not reached: " + state.not_reached.join("; ")));
  if (state.coming.length) {
    parts.push(el("h2", {class: "small"}, "Coming up in this story, as things stand"));
    parts.push(el("ul", {class: "coming"}, ...state.coming.map(c =>
      el("li", {}, `${c.time || "not reached"} · ${c.kind} ${c.id}` + (c.note ? ` (${c.note})` : "")))));
  }
  const roles = Object.entries(state.roles);
  if (roles.length) parts.push(el("div", {class: "small"}, "Role inboxes: ", ...roles.flatMap(
    ([id, name], i) => [i ? " · " : "", el("a", {href: "/role/" + encodeURIComponent(id), target: "_blank"}, name)])));
  if (state.outputs.length) parts.push(el("div", {class: "small"}, "Written: " + state.outputs.join(", ")));
  target.replaceChildren(...parts);
}

function render(state) {
  document.title = `${state.title} · ${CONTROL ? "control" : "room"}`;
  document.getElementById("title").textContent = state.title;
  document.getElementById("viewname").textContent = CONTROL ? "control" :
    (state.role ? state.role.name : "");
  document.getElementById("clock").textContent = state.clock;
  document.getElementById("elapsed").textContent = state.elapsed;
  document.getElementById("status").textContent = state.held ? "ON HOLD" : (state.finished ? "ENDED" : "");
  if (!mapDrawn) drawMap(state.map);
  updateMap(state);
  renderStrip(state);
  renderStep(state);
  renderTruth(state);
  if (CONTROL) updateControls(state);
  document.getElementById("cards").replaceChildren(...state.cards.slice(state.step && state.step.kind === "inject" ? 1 : 0).map(c => card(c, false)));
  document.getElementById("events").replaceChildren(...state.events.map(e => el("li", {}, el("span", {class: "when"}, e.time), " " + e.text)));
  document.body.dataset.version = state.version;
}

// ---------------------------------------------------------------- the controls
function showError(text) {
  const box = document.getElementById("error");
  box.textContent = text;
  box.hidden = !text;
}

async function act(action, body) {
  showError("");
  const response = await fetch("/api/" + action, {
    method: "POST", headers: {"Content-Type": "application/json", "X-Board-Token": TOKEN},
    body: JSON.stringify(body || {})});
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) showError(answer.error || `refused (${response.status})`);
  return response.ok;
}

let controls = null;

function buildControls() {
  // the facilitator's buttons come first, above the step they act on
  const side = document.querySelector(".side");
  side.prepend(document.getElementById("controls"));
  const reasons = el("textarea", {id: "reasons", rows: 2, placeholder: "the group's reasons for its choice"});
  const note = el("textarea", {id: "note", rows: 2, placeholder: "a note for the after-action report"});
  controls = {
    advance: el("button", {id: "advance", onclick: () => act("advance")}, "Next ▶"),
    hold: el("button", {id: "hold", onclick: () => act("hold", {on: !controls.held})}, "Hold"),
    undo: el("button", {id: "undo", onclick: () => act("undo")}, "Undo last decision"),
    options: el("div", {id: "choices", class: "choices"}),
    reasons, note, held: false,
  };
  document.getElementById("controls").replaceChildren(
    el("div", {class: "buttons"}, controls.advance, controls.hold, controls.undo,
       el("a", {href: withView("/cards"), target: "_blank"}, "printable inject cards")),
    controls.options,
    el("div", {class: "record"}, reasons, el("button", {id: "save-reasons", onclick: async () => {
      if (await act("reasons", {text: reasons.value})) reasons.value = ""; }}, "Record reasons")),
    el("div", {class: "record"}, note, el("button", {id: "add-note", onclick: async () => {
      if (await act("note", {text: note.value})) note.value = ""; }}, "Add note")));
}

function updateControls(state) {
  if (!controls) buildControls();
  const step = state.step;
  const open = !!(step && step.open);
  controls.held = state.held;
  controls.hold.textContent = state.held ? "Resume" : "Hold";
  controls.advance.disabled = open || state.finished || state.held;
  controls.options.replaceChildren(...(open ? step.options.filter(o => o.allowed).map(o =>
    el("button", {class: "choose", id: "choose-" + o.id, onclick: () => act("choose", {option: o.id})},
       "Choose: " + words(o.id))) : []));
}

// ------------------------------------------------------------------- the stream
function showBusy(text) {
  const box = document.getElementById("busy");
  box.textContent = text;
  box.hidden = !text;
}

const stream = new EventSource(withView("/api/events"));
stream.onmessage = event => render(JSON.parse(event.data));
stream.addEventListener("busy", event => showBusy(JSON.parse(event.data)));
stream.onerror = () => showBusy(stream.readyState === EventSource.CLOSED ? "the board has stopped" : "");
