// Pure helpers of the ask page: building elements, reading the answer object, runnable SPARQL.

const ENTITY_PATH = "/entity/";
// Words too common to tell which line of a passage answers (the answer sentence repeats them).
const STOP_WORDS = new Set(
  "the and for from with that this are can does not into its has have what which who how when slide slides deck says data".split(" "),
);
// A line needs this many words in common with the answer to count as the answering line.
const MIN_SHARED_WORDS = 2;
const HEADER_SEPARATOR = ": ";
const BULLET = /^[\s•●▪◦‣\-–*]+/;

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children.filter((child) => child !== "" && child !== null && child !== undefined));
  return node;
}

export function entityId(iri) {
  const at = iri ? iri.lastIndexOf(ENTITY_PATH) : -1;
  return at >= 0 ? decodeURIComponent(iri.slice(at + ENTITY_PATH.length)) : null;
}

function plain(text) {
  return text.replace(BULLET, "").replace(/\s+/g, " ").trim().toLowerCase();
}

function words(text) {
  return new Set((text.toLowerCase().match(/[a-z0-9][a-z0-9.-]*[a-z0-9]|[a-z0-9]/g) || [])
    .filter((word) => word.length > 2 && !STOP_WORDS.has(word)));
}

// A fact sentence is its bullet prefixed by its header ("Destinations: Amazon S3"): the sentence
// and what follows each header separator, longest first.
function sentenceForms(sentence) {
  const pieces = sentence.split(HEADER_SEPARATOR);
  return pieces.map((_, i) => plain(pieces.slice(i).join(HEADER_SEPARATOR))).filter(Boolean);
}

// Indexes of the lines of a source's text that answer: the span the API marks when it sends one
// ("highlight": [start, end] character offsets), else the lines stating an item's own sentence on
// that slide, else the line sharing the most words with the answer.
export function answeringLines(source, body) {
  const lines = source.text.split("\n");
  if (Array.isArray(source.highlight) && source.highlight.length === 2) {
    const [start, end] = source.highlight;
    const marked = new Set();
    let offset = 0;
    lines.forEach((line, i) => {
      if (offset < end && offset + line.length > start) marked.add(i);
      offset += line.length + 1;
    });
    return marked;
  }
  const sentences = body.items
    .flatMap((item) => item.sources || [])
    .filter((s) => s.slide === source.slide && s.deck === source.deck)
    .flatMap((s) => sentenceForms(s.text));
  const stating = new Set();
  lines.forEach((line, i) => {
    const text = plain(line);
    if (text && sentences.some((sentence) => sentence === text || (sentence.length > 8 && text.includes(sentence)))) {
      stating.add(i);
    }
  });
  if (stating.size) return stating;
  const wanted = words(`${body.answer} ${body.value ? body.value.text : ""}`);
  let best = -1;
  let bestShared = MIN_SHARED_WORDS - 1;
  lines.forEach((line, i) => {
    const shared = [...words(line)].filter((word) => wanted.has(word)).length;
    if (shared > bestShared) { best = i; bestShared = shared; }
  });
  return best >= 0 ? new Set([best]) : new Set();
}

// The answer's SPARQL as queries the console can run: several queries are joined by blank lines,
// and values bound at run time are shown in a "# bound: VALUES (?a) { (?a <iri>) }" comment, which
// becomes a real VALUES block at the start of the WHERE clause. Queries without it pass unchanged.
const QUERY_START = /\n\s*\n(?=# bound:|PREFIX\s|SELECT\s|ASK\s|CONSTRUCT\s|DESCRIBE\s)/i;
const BOUND_LINE = /^# bound: .*$/m;
const BOUND_PAIR = /\(\?(\w+)\s+(<[^>]*>|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^)\s]+)\)/g;
const WHERE_OPEN = /\bWHERE\s*\{/i;

export function runnableQueries(sparql) {
  return sparql.split(QUERY_START).map((query) => {
    const bound = query.match(BOUND_LINE);
    const where = query.match(WHERE_OPEN);
    if (!bound || !where) return query.trim();
    const pairs = [...bound[0].slice(bound[0].indexOf("{")).matchAll(BOUND_PAIR)];
    if (!pairs.length) return query.trim();
    const names = pairs.map((p) => `?${p[1]}`).join(" ");
    const values = pairs.map((p) => p[2]).join(" ");
    const at = where.index + where[0].length;
    return `${query.slice(0, at)}\n  VALUES (${names}) { (${values}) }${query.slice(at)}`.trim();
  });
}
