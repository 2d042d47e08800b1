/**
 * The console's icon: the sidebar's brand (a white star on the blue tile), as
 * a small SVG served by the console itself, so no request leaves for elsewhere.
 */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
<stop offset="0" stop-color="#4f8cff"/><stop offset="1" stop-color="#7b5cff"/>
</linearGradient></defs>
<rect width="64" height="64" rx="16" fill="url(#g)"/>
<path fill="#fff" d="M32 10 L37.9 25.9 L54.8 26.6 L41.5 37.1 L46.1 53.4 L32 44 L17.9 53.4 L22.5 37.1 L9.2 26.6 L26.1 25.9Z"/>
</svg>
`;
