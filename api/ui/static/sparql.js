// The SPARQL console: YASGUI (vendored from npm) on our own /sparql, with the project's prefixes,
// example queries, a query handed over in the URL (?query=...) and CSV/JSON downloads.
const config = JSON.parse(document.getElementById("console-config").textContent);
const status = document.getElementById("console-status");
const endpoint = new URL(config.endpoint, location.href).href;
const Yasgui = window.Yasgui;

const yasgui = new Yasgui(document.getElementById("yasgui"), {
  requestConfig: { endpoint, method: "POST" },
  copyEndpointOnNewTab: true,
  endpointCatalogueOptions: { getData: () => [{ endpoint }] },
  populateFromUrl: false,
  persistenceId: "kgqa-console",
  yasqe: {
    value: config.examples.length ? config.examples[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
    // Class and property completion asks a remote vocabulary service: off, the page is offline.
    autocompleters: ["prefixes", "variables"],
  },
  yasr: { prefixes: config.prefixes, defaultPlugin: "table" },
});

// YASGUI leaves some controls without a name a screen reader can say; name them as they appear.
const NAMES = [
  [".autocomplete", "SPARQL endpoint"],
  [".CodeMirror textarea", "SPARQL query"],
  ["select.tableSizer", "Rows per page"],
  [".tabsList button.addTab", "Add tab"],
];

function nameControls(root) {
  for (const [selector, name] of NAMES) {
    for (const control of root.querySelectorAll(selector)) {
      if (!control.hasAttribute("aria-label")) control.setAttribute("aria-label", name);
    }
  }
  // The add-tab button sits inside the tab list, where only tabs belong.
  for (const button of root.querySelectorAll(".tabsList button.addTab")) button.setAttribute("role", "tab");
  // A long query scrolls the editor; keyboard users must be able to reach that scroll region.
  for (const region of root.querySelectorAll(".CodeMirror-scroll")) if (region.tabIndex < 0) region.tabIndex = 0;
}

const container = document.getElementById("yasgui");
nameControls(container);
new MutationObserver(() => nameControls(container)).observe(container, { childList: true, subtree: true });

function openQuery(query, name) {
  const tab = yasgui.addTab(true, { name });
  tab.setEndpoint(endpoint);
  tab.setQuery(query);
  return tab;
}

const handed = new URLSearchParams(location.search).get("query");
if (handed) openQuery(handed, "From an answer");

document.getElementById("example").addEventListener("change", (event) => {
  const example = config.examples[Number(event.target.value)];
  if (example) openQuery(example.query, example.title);
});

async function download(accept, extension) {
  const query = yasgui.getTab().getQuery();
  status.textContent = "Downloading…";
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { Accept: accept, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ query }),
  });
  if (!response.ok) {
    let detail = `HTTP ${response.status}`;
    try { detail = (await response.json()).detail || detail; } catch { /* not JSON */ }
    status.textContent = `Download failed: ${detail}`;
    return;
  }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = `kgqa-results.${extension}`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  status.textContent = `Downloaded kgqa-results.${extension}.`;
}

document.getElementById("download-csv").addEventListener("click", () => download("text/csv", "csv"));
document.getElementById("download-json").addEventListener("click", () =>
  download("application/sparql-results+json", "json"));

window.kgqaConsole = yasgui; // for tests and the browser's console
