// ReDoc on our OpenAPI document; its injected <style> elements carry the page's CSP nonce.
const root = document.getElementById("redoc");
window.Redoc.init(root.dataset.spec, { nonce: root.dataset.nonce }, root);

// Code samples scroll sideways; keyboard users must be able to reach them (axe:
// scrollable-region-focusable).
function focusableSamples() {
  for (const sample of root.querySelectorAll("pre:not([tabindex])")) sample.tabIndex = 0;
}
new MutationObserver(focusableSamples).observe(root, { childList: true, subtree: true });
