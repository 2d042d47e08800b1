/**
 * The one HTML page of the console. It carries no inline script or style (the
 * CSP forbids both); the app in /ui/main.js builds everything else.
 */
export function pageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Sheriff</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/vendor/uplot.css">
<link rel="stylesheet" href="/app.css">
<script src="/vendor/uplot.js" defer></script>
<script type="module" src="/ui/main.js"></script>
</head>
<body>
<noscript>Sheriff's console needs JavaScript.</noscript>
<div id="app"></div>
</body>
</html>
`;
}
