// Swagger UI for /api/docs/: a static file, as the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
    // The browser's own calls use its session; writes carry Django's CSRF token.
    requestInterceptor: function (request) {
      request.headers["X-CSRFToken"] = node.dataset.csrfToken;
      return request;
    },
  });
})();
