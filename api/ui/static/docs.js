// Swagger UI on our OpenAPI document, initialised from a file so the CSP needs no inline script.
const root = document.getElementById("swagger-ui");
window.SwaggerUIBundle({
  url: root.dataset.spec,
  domNode: root,
  deepLinking: true,
  validatorUrl: null, // the default validator badge calls a remote service
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
