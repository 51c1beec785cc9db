// ReDoc on our OpenAPI document; its injected <style> elements carry the page's CSP nonce.
const root = document.getElementById("redoc");
window.Redoc.init(root.dataset.spec, { nonce: root.dataset.nonce, disableSearch: false }, root);
