// Starts Swagger UI on /docs (service/web/api_docs.py): a file, not inline, as the CSP allows no inline script.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
