// Swagger UI on our OpenAPI document, initialised from a file so the CSP needs no inline script.
const root = document.getElementById("swagger-ui");
window.SwaggerUIBundle({
  url: root.dataset.spec,
  domNode: root,
  deepLinking: false, // its deep links are anchors nested inside buttons (axe: nested-interactive)
  validatorUrl: null, // the default validator badge calls a remote service
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
