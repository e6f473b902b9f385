// Starts Swagger UI on /docs (service/web/api_docs.py): a file, not inline, as the CSP allows no inline script.
// No deep links: Swagger UI puts each one inside the operation's toggle button, a link in a button that keyboard
// and screen-reader users cannot reach as such (axe-core's nested-interactive); /redoc links every operation.
// The tomorrow-night colours for examples: the default theme's comments and numbers are below 4.5:1 contrast.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: false,
  syntaxHighlight: { theme: "tomorrow-night" },
});
