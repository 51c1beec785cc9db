// The ask page: sends the question to /ask and draws the answer object (../shared/eval/README.md).
// The URL holds the question (/?q=...), so an answer can be shared and Back goes to the last one.
import { el, entityId, runnableQueries, answeringLines } from "./answer.js";

const form = document.getElementById("ask-form");
const input = document.getElementById("q");
const status = document.getElementById("status");
const errorBox = document.getElementById("error");
const card = document.getElementById("answer");
let asked = 0; // only the latest question's response is drawn

function where(source) {
  if (source.lines) {
    const [start, end] = source.lines;
    return start === end ? `line ${start}` : `lines ${start}–${end}`;
  }
  return source.page ? `page ${source.page}` : "";
}

function slideHref(source) {
  return `/ui/slides/${encodeURIComponent(source.deck)}/${source.slide}`;
}

function passage(source, body) {
  const lines = source.text.split("\n");
  const marked = answeringLines(source, body);
  return el(
    "pre",
    { class: "passage" },
    ...lines.flatMap((line, i) => [
      marked.has(i) ? el("mark", { class: "answering" }, line) : line,
      i < lines.length - 1 ? "\n" : "",
    ]),
  );
}

function sourceItem(source, body) {
  const head = el(
    "h4",
    {},
    el("a", { href: slideHref(source) }, `Slide ${source.slide}: ${source.title || "(untitled)"}`),
  );
  const meta = el("p", { class: "where" }, `${source.deck} · ${where(source)} · score ${source.score.toFixed(2)}`);
  return el("li", { class: "source" }, head, meta, passage(source, body));
}

function itemLink(item) {
  const id = entityId(item.iri);
  const label = id ? el("a", { href: `/ui/entities/${encodeURIComponent(id)}` }, item.label) : item.label;
  const slides = (item.sources || []).map((s) =>
    el("a", { class: "ref", href: slideHref(s), title: s.text }, `slide ${s.slide}`),
  );
  return el("li", {}, label, slides.length ? el("span", { class: "refs" }, ...slides) : "");
}

function facts(body) {
  const out = el("div", { class: "facts-row" });
  if (body.verdict) {
    out.append(el("span", { class: `verdict verdict-${body.verdict}` }, body.verdict === "yes" ? "Yes" : "No"));
  }
  if (body.value) {
    out.append(
      el("span", { class: "value" }, el("strong", {}, body.value.text), body.value.quantity ? ` ${body.value.quantity}` : ""),
    );
  }
  const percent = Math.round(body.confidence * 100);
  out.append(
    el("span", { class: "confidence" }, "confidence ",
      el("meter", { min: "0", max: "1", value: String(body.confidence), "aria-label": "confidence" }),
      ` ${percent}%`),
    el("span", { class: "badge quiet" }, body.intent),
  );
  return out;
}

function sparqlBlock(sparql) {
  const queries = runnableQueries(sparql);
  const links = queries.map((query, i) =>
    el("a", { class: "button", href: `/ui/sparql?query=${encodeURIComponent(query)}` },
      queries.length > 1 ? `Open query ${i + 1} in the console` : "Open in the SPARQL console"),
  );
  return el(
    "details",
    { class: "sparql" },
    el("summary", {}, "Show SPARQL"),
    el("pre", {}, el("code", {}, sparql)),
    el("p", { class: "actions" }, ...links),
  );
}

function draw(body) {
  const parts = [
    el("h2", { id: "answer-heading", tabindex: "-1" }, "Answer"),
    el("p", { class: "answer-text" }, body.answer),
    facts(body),
  ];
  if (body.items.length) {
    parts.push(el("h3", {}, `Items (${body.items.length})`), el("ul", { class: "items" }, ...body.items.map(itemLink)));
  }
  if (body.sources.length) {
    parts.push(el("h3", {}, "Sources"), el("ol", { class: "sources" }, ...body.sources.map((s) => sourceItem(s, body))));
  }
  if (body.sparql) parts.push(sparqlBlock(body.sparql));
  card.replaceChildren(...parts);
  card.hidden = false;
}

function showError(message) {
  card.hidden = true;
  card.replaceChildren();
  errorBox.textContent = message;
  errorBox.hidden = false;
}

async function errorText(response) {
  try {
    const problem = await response.json();
    return problem.detail || problem.error || `HTTP ${response.status}`;
  } catch {
    return `The API answered HTTP ${response.status}.`;
  }
}

async function ask(question, { focus }) {
  const mine = ++asked;
  input.value = question;
  document.title = question ? `${question} · kgqa` : "Ask · kgqa";
  errorBox.hidden = true;
  status.textContent = "Asking…";
  let response;
  try {
    response = await fetch(`/ask?q=${encodeURIComponent(question)}`, { headers: { Accept: "application/json" } });
  } catch (error) {
    if (mine === asked) { status.textContent = ""; showError(`Could not reach the API: ${error.message}`); }
    return;
  }
  if (!response.ok) {
    const message = await errorText(response);
    if (mine === asked) { status.textContent = ""; showError(message); }
    return;
  }
  const body = await response.json();
  if (mine !== asked) return;
  performance.mark("kgqa:answer-received");
  draw(body);
  performance.mark("kgqa:answer-drawn");
  // The frame after the DOM change is when the answer is on screen.
  requestAnimationFrame(() => setTimeout(() => performance.mark("kgqa:answer-painted"), 0));
  status.textContent = `Answered: ${body.items.length} items, ${body.sources.length} sources.`;
  if (focus) document.getElementById("answer-heading").focus();
}

function questionInUrl() {
  return new URLSearchParams(location.search).get("q");
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const question = input.value.trim();
  history.pushState({}, "", `/?q=${encodeURIComponent(question)}`);
  ask(question, { focus: true });
});

window.addEventListener("popstate", () => {
  const question = questionInUrl();
  if (question !== null) ask(question, { focus: false });
  else { card.hidden = true; errorBox.hidden = true; input.value = ""; }
});

const initial = questionInUrl();
if (initial !== null) ask(initial, { focus: false });
else input.focus();
