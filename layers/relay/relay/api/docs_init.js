// Starts Swagger UI on /docs. A file, not an inline script, so the page's CSP needs no
// 'unsafe-inline'. The page says where the OpenAPI document is (data-openapi-url).
"use strict";
(function start() {
  const node = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: node.dataset.openapiUrl,
    domNode: node,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
    deepLinking: true,
    showExtensions: true, // x-problem-codes: the error codes each status can carry
    // No badge fetched from swagger.io's validator: nothing leaves this origin.
    validatorUrl: null,
    // The bearer key stays in this page's memory (never localStorage).
    persistAuthorization: false,
  });
})();
