// gogo's web board: draws the board and the graph in SVG, and talks to the server over one
// WebSocket (the game's state, live analysis, review) plus HTTP for SGF upload and download.
// Points are [row, col] with row 0 at the bottom, as the server sends them.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const COLUMNS = "ABCDEFGHJKLMNOPQRST"; // GTP's column letters, for the coordinates drawn
const STAR_POINTS = {9: [2, 4, 6], 13: [3, 6, 9], 19: [3, 9, 15]};

// What the page knows; tests read it too (window.gogo).
const gogo = {state: null, analysis: null, policy: null, review: null, progress: null, errors: 0};
window.gogo = gogo;

const $ = (id) => document.getElementById(id);
const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);

function send(message) {
  showMessage("");
  socket.send(JSON.stringify(message));
}

function setHidden(node, hidden) {
  node.toggleAttribute("hidden", hidden);  // an attribute: the SVG graph has no `hidden` property
}

function showMessage(text) {
  $("message").textContent = text;
  $("message").className = text ? "error" : "";
}

socket.onopen = () => { $("status").textContent = "connected"; };
socket.onclose = () => { $("status").textContent = "disconnected: reload the page"; };
socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  const handler = {state: onState, analysis: onAnalysis, policy: onPolicy, review: onReview,
                   review_progress: onProgress, error: onError}[message.type];
  if (handler) handler(message);
};

function onState(state) {
  const fresh = !gogo.state || gogo.state.version !== state.version;
  gogo.state = state;
  if (fresh) { gogo.analysis = null; gogo.policy = null; }
  if (!state.reviewed) { gogo.review = null; setHidden($("graph"), true); }
  $("analyse").checked = state.analysing;
  $("save").href = `/api/games/${state.game}/sgf`;
  $("move-number").textContent = `${state.cursor} / ${state.moves.length}`;
  $("status").textContent = statusText(state);
  drawMoves(state);
  render();
}

function statusText(state) {
  if (state.result) return `Result: ${state.result}`;
  const side = state.to_move === "B" ? "Black" : "White";
  const size = `${state.size}×${state.size}`;
  const engine = state.nets ? "" : state.search
    ? ` (no net for ${size}: gogo searches with its rollout policy alone)`
    : ` (no net for ${size}: gogo plays random moves, no analysis)`;
  const passed = state.last === "pass" ? " (the last move was a pass)" : "";
  return (state.thinking ? `gogo (${side}) is thinking…` : `${side} to move`) + passed + engine;
}

function onAnalysis(analysis) {
  if (gogo.state && analysis.version === gogo.state.version) { gogo.analysis = analysis; render(); }
}

function onPolicy(policy) {
  if (gogo.state && policy.version === gogo.state.version) { gogo.policy = policy; render(); }
}

function onProgress(progress) {
  gogo.progress = progress;
  const bar = $("review-progress");
  setHidden(bar, progress.done >= progress.total);
  bar.max = progress.total;
  bar.value = progress.done;
}

function onReview(review) {
  gogo.review = review;
  setHidden($("review-progress"), true);
  render();
}

function onError(error) {
  gogo.errors += 1;
  showMessage(error.message);
}

// --- drawing --------------------------------------------------------------------------------
function element(parent, name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  parent.appendChild(node);
  return node;
}

function render() {
  if (!gogo.state) return;
  drawBoard(gogo.state);
  drawAnalysis();
  drawGraph();
  drawReviewMove();
}

function drawBoard(state) {
  const size = state.size, board = $("board");
  const x = (col) => col + 1, y = (row) => size - row;
  board.setAttribute("viewBox", `0 0 ${size + 1} ${size + 1}`);
  board.replaceChildren();
  element(board, "rect", {x: 0, y: 0, width: size + 1, height: size + 1, class: "wood"});
  for (let i = 0; i < size; i++) {
    element(board, "line", {x1: x(0), y1: y(i), x2: x(size - 1), y2: y(i), class: "grid"});
    element(board, "line", {x1: x(i), y1: y(0), x2: x(i), y2: y(size - 1), class: "grid"});
    element(board, "text", {x: x(i), y: 0.45, class: "coordinate"}, COLUMNS[i]);
    element(board, "text", {x: x(i), y: size + 0.75, class: "coordinate"}, COLUMNS[i]);
    element(board, "text", {x: 0.4, y: y(i) + 0.12, class: "coordinate"}, i + 1);
    element(board, "text", {x: size + 0.6, y: y(i) + 0.12, class: "coordinate"}, i + 1);
  }
  for (const row of STAR_POINTS[size] || []) {
    for (const col of STAR_POINTS[size]) element(board, "circle", {cx: x(col), cy: y(row), r: 0.09, class: "star"});
  }
  const taken = new Set([...state.black, ...state.white].map(([r, c]) => `${r},${c}`));
  if (gogo.policy) {
    const top = Math.max(...gogo.policy.points.map((p) => p[2]), 1e-6);
    for (const [row, col, p] of gogo.policy.points) {
      if (taken.has(`${row},${col}`)) continue;
      const side = 0.95 * Math.sqrt(p / top);
      element(board, "rect", {x: x(col) - side / 2, y: y(row) - side / 2, width: side, height: side,
                              class: "heat", "fill-opacity": (0.2 + 0.6 * p / top).toFixed(2)});
    }
  }
  for (const [color, stones] of [["black", state.black], ["white", state.white]]) {
    for (const [row, col] of stones) element(board, "circle", {cx: x(col), cy: y(row), r: 0.47, class: `stone ${color}`});
  }
  if (Array.isArray(state.last)) {
    const [row, col] = state.last;
    const onBlack = state.black.some(([r, c]) => r === row && c === col);
    element(board, "circle", {cx: x(col), cy: y(row), r: 0.2, class: `last ${onBlack ? "on-black" : "on-white"}`, id: "last-move"});
  }
  if (gogo.analysis) {
    const most = Math.max(...gogo.analysis.candidates.map((c) => c.visits), 1);
    gogo.analysis.candidates.slice(0, 8).forEach((candidate, order) => {
      if (!candidate.point) return;
      const [row, col] = candidate.point;
      element(board, "circle", {cx: x(col), cy: y(row), r: 0.42, class: order === 0 ? "candidate best" : "candidate",
                                "fill-opacity": (0.3 + 0.6 * candidate.visits / most).toFixed(2)});
      element(board, "text", {x: x(col), y: y(row) + 0.12, class: "candidate-text"}, candidate.visits);
    });
  }
  const choice = reviewChoice(state);  // where gogo would have played the last move instead
  if (choice) {
    const [row, col] = choice.point;
    element(board, "circle", {cx: x(col), cy: y(row), r: 0.44, class: "review-best", id: "review-best"});
  }
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const target = element(board, "rect", {x: x(col) - 0.5, y: y(row) - 0.5, width: 1, height: 1,
                                             class: "target", id: `pt-${row}-${col}`});
      target.addEventListener("click", () => send({type: "play", row, col}));
    }
  }
}

function percent(winrate) { return `${(100 * winrate).toFixed(1)}%`; }

function drawAnalysis() {
  const body = $("candidates").querySelector("tbody");
  body.replaceChildren();
  const analysis = gogo.analysis;
  $("winrate-text").textContent = analysis && analysis.black_winrate !== null
    ? `Black ${percent(analysis.black_winrate)} · ${analysis.visits} visits (${analysis.kind})` : "";
  $("winrate-black").style.width = analysis && analysis.black_winrate !== null ? percent(analysis.black_winrate) : "50%";
  $("pv").textContent = analysis && analysis.pv.length ? `Line: ${analysis.pv.map((m) => m.vertex).join(" ")}` : "";
  if (!analysis) return;
  for (const candidate of analysis.candidates.slice(0, 10)) {
    const row = body.insertRow();
    for (const value of [candidate.vertex, candidate.visits, percent(candidate.winrate), percent(candidate.prior)]) {
      row.insertCell().textContent = value;
    }
  }
}

function drawGraph() {
  const graph = $("graph"), review = gogo.review;
  if (!review) return;
  setHidden(graph, false);
  graph.replaceChildren();
  const last = Math.max(review.winrates.length - 1, 1);
  const x = (move) => 400 * move / last, y = (winrate) => 120 * (1 - winrate);
  element(graph, "rect", {x: 0, y: 0, width: 400, height: 120, class: "graph-back"});
  element(graph, "line", {x1: 0, y1: 60, x2: 400, y2: 60, class: "graph-half"});
  element(graph, "text", {x: 3, y: 10, class: "graph-label"}, "Black's winrate");
  element(graph, "text", {x: 397, y: 116, class: "graph-label end"}, `move ${last}`);
  const points = review.winrates.map((w, move) => `${x(move).toFixed(1)},${y(w).toFixed(1)}`).join(" ");
  element(graph, "polyline", {points, class: "graph-line"});
  if (gogo.state) element(graph, "line", {x1: x(gogo.state.cursor), y1: 0, x2: x(gogo.state.cursor), y2: 120, class: "graph-cursor"});
  for (const drop of review.drops) {
    const mark = element(graph, "circle", {cx: x(drop.move), cy: y(review.winrates[drop.move]), r: 4, class: "drop"});
    element(mark, "title", {}, `move ${drop.move} ${drop.color} ${drop.vertex}: -${percent(drop.drop)}`);
  }
}

function reviewChoice(state) {
  // gogo's choice in the position before the last move, where it differs from the move played
  const before = gogo.review && state.cursor > 0 && gogo.review.positions[state.cursor - 1];
  if (!before || !before.point || before.best === state.moves[state.cursor - 1]) return null;
  return before;
}

function drawReviewMove() {
  const review = gogo.review, state = gogo.state, out = $("review-move");
  if (!review || state.cursor === 0 || state.cursor >= review.winrates.length) { out.textContent = ""; return; }
  const drop = review.drops.find((d) => d.move === state.cursor);
  const parts = [`Move ${state.cursor} (${state.moves[state.cursor - 1]}): Black ${percent(review.winrates[state.cursor])}`];
  if (drop) parts.push(`${drop.color} lost ${percent(drop.drop)}`);
  const choice = reviewChoice(state);
  parts.push(choice ? `gogo preferred ${choice.best} (dashed ring), line ${choice.pv.join(" ")}` : "gogo's choice too");
  out.textContent = parts.join(" · ");
}

function drawMoves(state) {
  const list = $("moves");
  list.replaceChildren();
  state.moves.forEach((vertex, i) => {
    const item = document.createElement("li");
    item.textContent = vertex;
    if (i + 1 === state.cursor) item.className = "current";
    item.addEventListener("click", () => send({type: "goto", move: i + 1}));
    list.appendChild(item);
  });
}

// --- controls -------------------------------------------------------------------------------
function strength() {
  return {visits: Number($("visits").value) || 200, seconds: $("seconds").value || null};
}

$("start").onclick = () => send({type: "new", size: Number($("size").value), komi: $("komi").value,
                                 handicap: Number($("handicap").value), engine: $("engine").value, ...strength()});
$("apply-engine").onclick = () => send({type: "engine", engine: $("engine").value, ...strength()});
$("pass").onclick = () => send({type: "pass"});
$("undo").onclick = () => send({type: "undo"});
$("resign").onclick = () => send({type: "resign"});
$("analyse").onchange = () => send({type: "analyse", on: $("analyse").checked});
$("first").onclick = () => send({type: "goto", move: 0});
$("back").onclick = () => send({type: "goto", move: Math.max(gogo.state.cursor - 1, 0)});
$("forward").onclick = () => send({type: "goto", move: Math.min(gogo.state.cursor + 1, gogo.state.moves.length)});
$("last").onclick = () => send({type: "goto", move: gogo.state.moves.length});
$("start-review").onclick = () => {
  setHidden($("review-progress"), false);
  $("review-progress").value = 0;
  send({type: "review", visits: Number($("review-visits").value) || 100});
};
$("graph").addEventListener("click", (event) => {
  if (!gogo.review) return;
  const box = $("graph").getBoundingClientRect();
  const last = gogo.review.winrates.length - 1;
  send({type: "goto", move: Math.round(last * (event.clientX - box.left) / box.width)});
});

async function upload(body) {
  showMessage("");
  const response = await fetch(`/api/games/${gogo.state.game}/sgf`, {method: "POST", body});
  if (!response.ok) {
    gogo.errors += 1;
    showMessage((await response.json()).error);
  }
}

$("file").onchange = () => { if ($("file").files.length) upload($("file").files[0]); };
$("load-paste").onclick = () => upload($("paste").value);
